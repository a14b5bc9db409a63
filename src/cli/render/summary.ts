import { rejectionPlace } from '../../merge/index.js';
import type { JobResult } from '../../jobs/run.js';
import type { AlertEvaluation } from '../../observe/index.js';

/** The first rejected staging rows of a run, each where it sits in its file. */
export function rejectedLines(r: JobResult, show = 10): string[] {
  const all = r.merge?.rejections ?? [];
  const out = all.slice(0, show).map((x) => `  rejected ${rejectionPlace(x)}${x.key ? ` (${x.key})` : ''}: ${x.reason}`);
  if (all.length > show) out.push(`  … ${all.length - show} more: \`ordersync merge --dry-run --show N\``);
  return out;
}

/** The closing summary a terminal user reads after a run. */
export function formatJobSummary(r: JobResult): string {
  const out = [`run #${r.runId} ${r.status} in ${(r.durationMs / 1000).toFixed(1)} s — ${r.verdict.summary}`];
  const m = r.merge?.counts;
  if (m) {
    out.push(
      `merge    ${m.new} new, ${m.updated} updated, ${m.cancelled} cancelled, ${m.reactivated} reactivated, ${m.unchanged} unchanged, ${m.vanished} vanished, ${m.rejected} rejected rows`,
    );
  }
  out.push(...rejectedLines(r));
  const s = r.sync;
  if (s) {
    const c = s.counts;
    out.push(
      `groups   ${c.groups_created} created, ${c.groups_found} found on the board`,
      `items    ${c.items_created} created, ${c.items_updated} updated, ${c.items_cancelled} cancelled, ${c.items_archived} archived${c.items_already_gone ? ` (and ${c.items_already_gone} a planner had already archived or deleted)` : ''}, ${c.items_unchanged} unchanged, ${c.items_failed} failed`,
      `subitems ${c.subitems_created} created, ${c.subitems_updated} updated, ${c.subitems_zeroed} zeroed, ${c.subitems_removed} removed, ${c.subitems_failed} failed`,
      `monday   ${s.stats.requests} requests, ${s.stats.mutations} mutations, ${s.stats.complexityUsed.toLocaleString('en-US')} complexity, ${s.stats.http429} × 429, ${s.stats.retries} retries`,
    );
    if (c.adopted_items + c.adopted_subitems + c.requeued > 0) {
      out.push(`recovery ${c.adopted_items} items and ${c.adopted_subitems} subitems adopted after an interrupted run, ${c.requeued} re-queued`);
    }
    if (c.subitems_detached > 0) {
      out.push(`warning  ${c.subitems_detached} line(s) held a subitem id under another item (a board that lost writes?): left that subitem alone and gave the line its own (events detach_subitem)`);
    }
    if (s.stopped) out.push(`stopped  ${s.stopped.code}: ${s.stopped.message}${s.stopped.resumeAfter ? ` (resume after ${s.stopped.resumeAfter})` : ''}`);
  }
  return out.join('\n');
}

/** The closing summary as a table (records per kind and outcome, then monday usage and alerts). */
export function formatSummaryTable(r: JobResult, alerts?: AlertEvaluation): string {
  const rows: Array<[string, string, string, string, string, string]> = [['', 'created', 'updated', 'cancelled', 'zeroed/removed', 'failed']];
  const c = r.sync?.counts;
  if (c) {
    rows.push(['groups', String(c.groups_created), '—', '—', '—', '—']);
    rows.push(['items', String(c.items_created), String(c.items_updated), String(c.items_cancelled), String(c.items_archived), String(c.items_failed)]);
    rows.push(['subitems', String(c.subitems_created), String(c.subitems_updated), '—', String(c.subitems_zeroed + c.subitems_removed), String(c.subitems_failed)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const out = [`run #${r.runId} ${r.status} in ${(r.durationMs / 1000).toFixed(1)} s — ${r.verdict.summary}`];
  const m = r.merge?.counts;
  if (m) out.push(`merge: ${m.new} new, ${m.updated} updated, ${m.cancelled} cancelled, ${m.reactivated} reactivated, ${m.unchanged} unchanged, ${m.rejected} rejected rows`);
  out.push(...rejectedLines(r));
  if (c) {
    out.push('', line(rows[0]!), line(widths.map((w) => '─'.repeat(w))), ...rows.slice(1).map(line));
    const s = r.sync!.stats;
    out.push('', `monday: ${s.requests} requests, ${s.mutations} mutations, ${s.complexityUsed.toLocaleString('en-US')} complexity, ${s.retries} retries, ${s.rateLimitWaits} rate-limit waits`);
    if (r.sync!.stopped) out.push(`stopped: ${r.sync!.stopped.code}: ${r.sync!.stopped.message}`);
  }
  if (alerts?.alerts.length) out.push('', ...alertLines(alerts));
  return out.join('\n');
}

/** The alerts after a run, one a line under a heading; none when there are none. */
export function alertLines(alerts: Pick<AlertEvaluation, 'alerts'>): string[] {
  return alerts.alerts.length ? ['alerts:', ...alerts.alerts.map((a) => `  [${a.severity}] ${a.kind}: ${a.message}`)] : [];
}
