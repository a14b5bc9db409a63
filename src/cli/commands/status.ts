import type { Command } from 'commander';
import { adviceFor } from '../../observe/advice.js';
import { formatStatus } from '../render/status.js';
import { statusSnapshot } from '../../observe/queries.js';
import { loadCliConfig, print, printJson, withDb } from '../context.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('What the queue looks like now: rows by state and action, backlog and the oldest pending row, rows in flight, rows in ERROR by error code (with an example and what to do), the last runs.')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      const snap = await withDb(cfg, (db) => statusSnapshot(db, cfg.envName));
      if (opts.json) printJson({ ...snap, errors: snap.errors.map((e) => ({ ...e, ...adviceFor(e.code) })) });
      else print(formatStatus(snap));
    });
}
