import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { buildReport, reportHtml, reportMarkdown } from '../../observe/index.js';
import { writePrivateFile } from '../../private-file.js';
import { loadCliConfig, print, withDb } from '../context.js';
import { runId } from '../options.js';

interface ReportFlags {
  run?: number;
  last?: boolean;
  customer?: string;
  format: string;
  out?: string;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('Per customer and season: orders and units synced, created/updated/cancelled, failures with monday\'s error code, column and value, pending; success bands in records (cancelled apart); what to do per error code.')
    .option('--run <id>', 'report on this run', runId('--run'))
    .option('--last', 'report on the latest run of the environment (the default)')
    .option('--customer <name>', 'only this customer')
    .option('--format <format>', 'md, json or html', 'md')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (opts: ReportFlags, cmd: Command) => {
      if (!['md', 'json', 'html'].includes(opts.format)) throw new InputError(`--format must be md, json or html (got "${opts.format}")`);
      if (opts.run !== undefined && opts.last) throw new InputError('--run and --last are exclusive');
      const cfg = loadCliConfig(cmd);
      const report = await withDb(cfg, (db) => buildReport(db, cfg.settings.alerts, { env: cfg.envName, runId: opts.run, customer: opts.customer }));
      const text = opts.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : opts.format === 'html' ? reportHtml(report) : reportMarkdown(report);
      if (opts.out) {
        await writePrivateFile(opts.out, text);
        print(`report written to ${opts.out}`);
      } else print(text);
    });
}
