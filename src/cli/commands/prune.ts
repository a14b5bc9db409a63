import type { Command } from 'commander';
import { prune } from '../../observe/queries.js';
import { confirmWrite, loadCliConfig, print, printJson, withDb } from '../context.js';
import { duration } from '../options.js';

export function registerPrune(program: Command): void {
  program
    .command('prune')
    .description('Delete API log rows and journal events older than an age (default [server].api_log_retention_days), never those of the latest run. Run records are kept. Note: rollback needs the journal of the run it undoes.')
    .option('--older-than <age>', 'age such as 30d, 12h, 15min or 2w (`m` is refused: minutes or months?)', duration('--older-than'))
    .option('--json', 'machine-readable output')
    .action(async (opts: { olderThan?: number; json?: boolean }, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      const days = opts.olderThan ?? cfg.settings.server.api_log_retention_days;
      confirmWrite(cmd, cfg);
      const r = await withDb(cfg, (db) => prune(db, days));
      if (opts.json) printJson(r);
      else print(`pruned ${r.apiLog} API log rows and ${r.events} journal events older than ${r.cutoff}${r.keptRunId !== null ? ` (run #${r.keptRunId}, the latest, kept whole)` : ''}`);
    });
}
