import type { Command } from 'commander';
import { prune, type PruneResult } from '../../observe/index.js';
import { confirmWrite, loadCliConfig, print, printJson, withDb } from '../context.js';
import { duration } from '../options.js';

export function registerPrune(program: Command): void {
  program
    .command('prune')
    .description('Delete API log rows and journal events older than an age (default [server].api_log_retention_days), never those of the latest run. Run records are kept. The journal of a run that can still be rolled back is kept unless --force (rollback reads it).')
    .option('--older-than <age>', 'age such as 30d, 12h, 15min or 2w (`m` is refused: minutes or months?)', duration('--older-than'))
    .option('--dry-run', 'count what would be deleted, delete nothing')
    .option('--force', 'also delete the journal of runs that can still be rolled back (they cannot be rolled back afterwards)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { olderThan?: number; dryRun?: boolean; force?: boolean; json?: boolean }, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      const days = opts.olderThan ?? cfg.settings.server.api_log_retention_days;
      if (!opts.dryRun) confirmWrite(cmd, cfg);
      const r = await withDb(cfg, (db) => prune(db, days, { dryRun: opts.dryRun, force: opts.force }));
      if (opts.json) printJson(r);
      else print(formatPrune(r));
    });
}

function formatPrune(r: PruneResult): string {
  const runs = (list: PruneResult['forced']) => list.map((x) => `#${x.runId} (${x.events})`).join(', ');
  const lines = [
    `${r.dryRun ? 'would prune' : 'pruned'} ${r.apiLog} API log rows and ${r.events} journal events older than ${r.cutoff}${r.keptRunId !== null ? ` (run #${r.keptRunId}, the latest, kept whole)` : ''}`,
  ];
  if (r.keptForRollback.length) lines.push(`kept the old journal events of run(s) that can still be rolled back: ${runs(r.keptForRollback)}; --force deletes them too (those runs can then no longer be rolled back)`);
  if (r.forced.length) lines.push(`${r.dryRun ? 'would delete' : 'deleted'} the journal of run(s) that could still be rolled back (--force): ${runs(r.forced)}`);
  return lines.join('\n');
}
