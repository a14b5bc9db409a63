import type { Command } from 'commander';
import { merge, rejectionPlace, rowLabels, type MergeSummary } from '../../merge/index.js';
import { runJob } from '../../jobs/run.js';
import { storedFormatter } from '../../sync/index.js';
import { confirmWrite, loadCliConfig, print, printJson, withDb } from '../context.js';
import { positiveInteger } from '../options.js';

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('Compare the staging table with the orders on record (row hashes, no delta tables) and queue what changed for the next sync. Touches the database only, never monday.')
    .option('--dry-run', 'compute and report the changes without writing anything')
    .option('--json', 'machine-readable output')
    .option('--show <n>', 'rejected rows, warnings and duplicate keys to list', positiveInteger('--show'), 20)
    .action(async (opts: { dryRun?: boolean; json?: boolean; show: number }, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      if (!opts.dryRun) confirmWrite(cmd, cfg);
      // A real merge runs as a job: under the run lock, with a run record of its own.
      const { summary, runId } = await withDb(cfg, async (db) => {
        if (opts.dryRun) return { summary: await merge(db, cfg.settings, { dryRun: true, format: await storedFormatter(db, cfg.settings) }), runId: undefined };
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
    `${m.dryRun ? 'merge (dry run, nothing written)' : 'merge'}: ${c.staged_rows} staged rows${c.blank_rows > 0 ? ` (${c.blank_rows} blank, skipped)` : ''}, ${m.sizeColumns} size columns, ${m.durationMs} ms`,
    `orders: ${c.new} new, ${c.updated} updated, ${c.cancelled} cancelled, ${c.reactivated} reactivated, ${c.unchanged} unchanged, ${c.skipped_cancelled} skipped (cancelled, never synced), ${c.vanished} vanished, ${c.rejected} rejected rows`,
    `lines: ${c.lines_inserted} inserted, ${c.lines_updated} updated, ${c.lines_deleted} deleted; ${c.rows_written} rows written`,
  ];
  if (m.duplicates.length) {
    lines.push(`duplicate keys (${m.duplicates.length}):`);
    for (const d of m.duplicates.slice(0, show)) {
      const label = rowLabels(d.rows, d.sources ?? []);
      lines.push(`  ${d.key}: rows ${label.all}${d.kept === null ? ' — skipped' : ` — kept row ${label.of(d.kept)}`}`);
    }
  }
  if (m.warnings.length) {
    lines.push(`warnings (${m.warnings.length}):`);
    for (const w of m.warnings.slice(0, show)) lines.push(`  staging row ${w.rowNumber} (${w.key}): ${w.message}`);
  }
  if (m.caseVariants.length) {
    lines.push(`warning: keys that differ only by letter case (${m.caseVariants.length}), kept as separate orders (keys are compared exactly):`);
    for (const v of m.caseVariants.slice(0, show)) lines.push(`  ${v.keys.map((k) => `"${k}"`).join(' / ')}: rows ${v.rows.join(', ')}`);
  }
  if (m.rejections.length) {
    lines.push(`rejected rows (${m.rejections.length}):`);
    for (const r of m.rejections.slice(0, show)) lines.push(`  ${rejectionPlace(r)}${r.key ? ` (${r.key})` : ''}: ${r.reason}`);
  }
  return lines.join('\n');
}
