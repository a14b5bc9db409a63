import type { Command } from 'commander';
import { merge, type MergeSummary } from '../../merge/index.js';
import { runJob } from '../../ops/job.js';
import { confirmWrite, loadCliConfig, print, printJson, withDb } from '../context.js';
import { positiveInteger } from '../options.js';

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('Compare the staging table with the orders on record (row hashes, no delta tables) and queue what changed for the next sync. Touches the database only, never monday.')
    .option('--dry-run', 'compute and report the changes without writing anything')
    .option('--json', 'machine-readable output')
    .option('--show <n>', 'rejected rows and duplicate keys to list', positiveInteger('--show'), 20)
    .action(async (opts: { dryRun?: boolean; json?: boolean; show: number }, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      if (!opts.dryRun) confirmWrite(cmd, cfg);
      // A real merge runs as a job: under the run lock, with a run record of its own.
      const { summary, runId } = await withDb(cfg, async (db) => {
        if (opts.dryRun) return { summary: await merge(db, cfg.settings, { dryRun: true }), runId: undefined };
        const job = await runJob(db, cfg, { command: 'merge' });
        return { summary: job.merge as MergeSummary, runId: job.runId };
      });
      if (opts.json) printJson({ ...summary, runId });
      else print(`${runId === undefined ? '' : `run #${runId} `}${formatMergeSummary(summary, opts.show)}`);
    });
}

export function formatMergeSummary(m: MergeSummary, show: number): string {
  const c = m.counts;
  const lines = [
    `${m.dryRun ? 'merge (dry run, nothing written)' : 'merge'}: ${c.staged_rows} staged rows, ${m.sizeColumns} size columns, ${m.durationMs} ms`,
    `orders: ${c.new} new, ${c.updated} updated, ${c.cancelled} cancelled, ${c.reactivated} reactivated, ${c.unchanged} unchanged, ${c.skipped_cancelled} skipped (cancelled, never synced), ${c.vanished} vanished, ${c.rejected} rejected rows`,
    `lines: ${c.lines_inserted} inserted, ${c.lines_updated} updated, ${c.lines_deleted} deleted; ${c.rows_written} rows written`,
  ];
  if (m.duplicates.length) {
    lines.push(`duplicate keys (${m.duplicates.length}):`);
    for (const d of m.duplicates.slice(0, show)) lines.push(`  ${d.key}: rows ${d.rows.join(', ')}${d.kept === null ? ' — skipped' : ` — kept row ${d.kept}`}`);
  }
  if (m.rejections.length) {
    lines.push(`rejected rows (${m.rejections.length}):`);
    for (const r of m.rejections.slice(0, show)) lines.push(`  staging row ${r.rowNumber}${r.key ? ` (${r.key})` : ''}: ${r.reason}`);
  }
  return lines.join('\n');
}
