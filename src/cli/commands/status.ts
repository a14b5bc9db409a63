import type { Command } from 'commander';
import { adviceFor, runSummary, statusSnapshot } from '../../observe/index.js';
import { formatStatus } from '../render/status.js';
import { loadCliConfig, print, printJson, withDb } from '../context.js';
import { positiveInteger } from '../options.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('What the queue looks like now: rows by state and action, backlog and the oldest pending row, rows in flight, rows in ERROR by error code (with an example and what to do), the last runs.')
    .option('--history <n>', 'list the last N runs with verdict, records, duration and complexity (default 10 runs, fewer columns)', positiveInteger('--history'))
    .option('--json', 'machine-readable output')
    .action(async (opts: { history?: number; json?: boolean }, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      const snap = await withDb(cfg, (db) => statusSnapshot(db, cfg.envName, new Date(), { runs: opts.history }));
      if (opts.json) printJson({ ...snap, errors: snap.errors.map((e) => ({ ...e, ...adviceFor(e.code) })), ...(opts.history ? { history: snap.runs.map(runSummary) } : {}) });
      else print(formatStatus(snap, { history: opts.history !== undefined }));
    });
}
