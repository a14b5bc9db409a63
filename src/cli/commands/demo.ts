import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig, starterConfig } from '../../config/index.js';
import { databaseTarget, openDatabase } from '../../db/connect.js';
import { migrateUp } from '../../db/migrations/index.js';
import { ConfigError } from '../../errors.js';
import { writePrivateFile } from '../../private-file.js';
import { runJob } from '../../jobs/run.js';
import { formatJobSummary } from '../render/summary.js';
import { generateStaging, loadStaging, nextDay } from '../../sampledata/index.js';
import { print } from '../context.js';
import { outcome } from '../outcome.js';
import { exitCodeOf } from './sync.js';
import { anyInteger, positiveInteger } from '../options.js';

interface DemoFlags {
  dir: string;
  orders: number;
  seed: number;
}

/**
 * The whole job on a fresh machine, with nothing configured: sample data in a SQLite file,
 * the emulator in-process with the shipped boards, day 1 (initial load) and day 2 (a
 * day of changes and cancellations).
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Run the whole job on the embedded default: generated sample data in SQLite, the local monday emulator, an initial load and a day of changes. Needs no config.')
    .option('--dir <path>', 'folder for the demo config, database and board state', 'ordersync-demo')
    .option('--orders <n>', 'orders to generate', positiveInteger('--orders'), 200)
    .option('--seed <n>', 'sample data seed', anyInteger('--seed'), 7)
    .action(async (opts: DemoFlags) => {
      const dir = resolve(opts.dir);
      const file = resolve(dir, 'ordersync.toml');
      if (existsSync(resolve(dir, 'ordersync.db'))) {
        throw new ConfigError(`${dir} already holds a demo database; remove the folder or pass --dir`);
      }
      mkdirSync(dir, { recursive: true });
      const token = `demo-${randomBytes(12).toString('hex')}`;
      // monday's real limits, with the minute shrunk to a second so the demo takes seconds;
      // the pacer follows the window the emulator reports, so the config keeps monday's budget.
      const timeScale = 60;
      // The emulator (and graphql) load only for the commands that run it: startup stays fast.
      const { customerMasterScheduleSeed, startEmulator } = await import('../../emulator/index.js');
      const emulator = await startEmulator({ token, timeScale, seed: customerMasterScheduleSeed(), statePath: resolve(dir, 'board-state.json') });
      try {
        const config = starterConfig({ apiUrl: emulator.url });
        await writePrivateFile(file, config);
        const envVars = { ...process.env, MONDAY_API_TOKEN: token, ORDERSYNC_ENV: undefined };
        const cfg = loadConfig({ path: file, envVars });
        const db = await openDatabase(databaseTarget(cfg, envVars));
        try {
          await migrateUp(db);
          const data = generateStaging({ seed: opts.seed, orders: opts.orders, customers: Math.max(3, Math.min(12, Math.ceil(opts.orders / 40))) });
          const table = cfg.settings.staging.table;
          await loadStaging(db.raw, table, data.columns, data.rows, { dialect: 'sqlite' });
          print(`day 1: ${opts.orders} generated orders (with duplicates, blank rows and cancellations) → ${emulator.url}`);
          const day1 = await runJob(db, cfg, { command: 'run', envVars });
          print(formatJobSummary(day1));

          const day2 = nextDay(data.rows, { seed: opts.seed + 1 });
          await loadStaging(db.raw, table, data.columns, day2.rows, { dialect: 'sqlite', replace: true });
          const changes = day2.summary().counts;
          print(`\nday 2: ${Object.entries(changes).map(([k, v]) => `${v} ${k}`).join(', ')}`);
          const result = await runJob(db, cfg, { command: 'run', envVars });
          print(formatJobSummary(result));
          outcome.exitCode = exitCodeOf(result);
        } finally {
          await db.close();
        }
        print(
          [
            '',
            `demo files in ${dir} (config, SQLite database, board state)`,
            'next:',
            `  ordersync --config ${file} status                   # backlog, errors by code, last runs`,
            `  ordersync --config ${file} report --last            # per customer and season`,
            `  ordersync --config ${file} serve                    # dashboard and /metrics on http://127.0.0.1:8787`,
            `  ordersync emulator --state ${resolve(dir, 'board-state.json')}   # the board as the demo left it`,
          ].join('\n'),
        );
      } finally {
        await emulator.close();
      }
    });
}
