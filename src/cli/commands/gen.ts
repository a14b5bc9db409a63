import type { Command } from 'commander';
import { runGen } from '../../sampledata/index.js';
import { existsSync } from 'node:fs';
import { configPath } from '../../config/index.js';
import { cliPrefix, globalOptions, print, printJson, shellWord } from '../context.js';
import { anyInteger, nonNegativeInteger, positiveInteger } from '../options.js';

export function registerGen(program: Command): void {
  program
    .command('gen')
    .description(
      'Write seeded sample order-list CSVs shaped like the real staging table (411 columns, 245 size columns between ' +
        '"UNIT OF MEASURE" and "TOTAL QTY"), with realistic mess: duplicate keys, empty keys, blank rows, cancelled orders ' +
        '(CANCELLED / Cancelled), unicode and long notes. Same seed, same files. Needs no config and no database; ' +
        'load the result with `ordersync ingest`.',
    )
    .option('--orders <n>', 'distinct orders in the first file', nonNegativeInteger('--orders'), 1_000)
    .option('--seed <s>', 'seed (same seed, same data)', anyInteger('--seed'), 1)
    .option('--customers <n>', 'customers (default: one per ~200 orders, 1 to 45)', positiveInteger('--customers'))
    .option('--out <dir>', 'output folder (created when missing)', 'sampledata')
    .option('--next-day', 'also write staging-day1.csv: the next day (≈5% changed, some cancelled, reactivated, vanished and new), with a summary JSON of what changed')
    .option('--clean', 'no mess: unique keys, no blank rows, no cancelled orders')
    .option('--json', 'machine-readable output')
    .action(async (opts: { orders: number; seed: number; customers?: number; out: string; nextDay?: boolean; clean?: boolean; json?: boolean }, cmd: Command) => {
      const files = await runGen({
        out: opts.out,
        seed: opts.seed,
        orders: opts.orders,
        customers: opts.customers,
        mess: opts.clean ? false : true,
        days: opts.nextDay ? 1 : 0,
      });
      if (opts.json) return printJson(files);
      const lines = files.map((f) => `wrote ${f.path}: ${f.rows} rows, ${(f.bytes / 1024 / 1024).toFixed(1)} MB`);
      for (const f of files) {
        if (f.summary) {
          const changed = Object.entries(f.summary.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ');
          lines.push(`day ${f.day} against day ${f.day - 1}: ${changed || 'no changes'}`);
        }
      }
      const cli = cliPrefix(cmd);
      // Without a config there is nowhere to ingest to: the hint starts with one.
      const setup = existsSync(configPath({ path: globalOptions(cmd).config })) ? [] : [`  ${cli} init`, `  ${cli} migrate up`];
      lines.push('next:', ...setup, `  ${cli} ingest ${shellWord(files[0]?.path ?? '')} --replace    # exit 2 lists the rows it rejected`, `  ${cli} merge`);
      print(lines.join('\n'));
    });
}
