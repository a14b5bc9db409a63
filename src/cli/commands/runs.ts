import type { Command } from 'commander';
import { runHistory } from '../../observe/index.js';
import { formatRuns } from '../render/status.js';
import { loadCliConfig, print, printJson, withDb } from '../context.js';
import { duration, positiveInteger } from '../options.js';

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('The environment\'s runs, newest first: status, records ok / failed / cancelled, rejected staging rows, duration, requests and complexity used, verdict.')
    .option('--since <age>', 'only runs started within this age, such as 7d, 12h or 15min', duration('--since'))
    .option('--limit <n>', 'at most this many runs', positiveInteger('--limit'), 50)
    .option('--json', 'machine-readable output')
    .action(async (opts: { since?: number; limit: number; json?: boolean }, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      const runs = await withDb(cfg, (db) => runHistory(db, cfg.envName, { limit: opts.limit, sinceDays: opts.since }));
      if (opts.json) printJson({ env: cfg.envName, runs });
      else print(formatRuns(runs));
    });
}
