import { adviceFor, grouped, humanDuration, rejectedOf, runSummary, type OrderHistory, type StatusSnapshot, type RunSummary } from '../../observe/index.js';

/** Plain-text tables for the terminal. */
export function table(head: string[], rows: Array<Array<string | number | null | undefined>>, maxWidth = 60): string {
  const text = rows.map((r) => r.map((c) => oneLine(c, maxWidth)));
  const widths = head.map((h, i) => Math.max(h.length, ...text.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '─'.repeat(w))), ...text.map(line)].join('\n');
}

function oneLine(v: unknown, max: number): string {
  const s = v === null || v === undefined ? '' : String(v).replace(/[\r\n\t]+/g, ' ');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

const mins = (m: number | null) => (m === null ? '' : m < 120 ? `${Math.round(m)} min` : `${(m / 60).toFixed(1)} h`);

/** `history`: the runs section in full (`status --history N`), as `ordersync runs` prints it. */
export function formatStatus(s: StatusSnapshot, opts: { history?: boolean } = {}): string {
  const b = s.backlog;
  const out = [`ordersync status — ${s.env} — ${s.at}`, ''];
  out.push(
    `backlog   ${b.pendingOrders} orders and ${b.pendingLines} lines pending${b.oldestPendingSince ? `; oldest since ${b.oldestPendingSince} (${mins(b.oldestPendingMinutes)}, ${b.oldestPendingKey})` : ''}`,
    `in flight ${b.inFlightOrders} orders and ${b.inFlightLines} lines${b.oldestInFlightSince ? `; oldest since ${b.oldestInFlightSince} (${mins(b.oldestInFlightMinutes)}): ${b.inFlightKeys.slice(0, 5).join(', ')}` : ''}`,
    '',
  );
  out.push(table(['table', 'state', 'action', 'rows'], s.rows.map((r) => [r.table, r.sync_state, r.action, r.count])), '');
  if (s.errors.length) {
    out.push('rows in ERROR by code:');
    out.push(table(['code', 'orders', 'lines', 'example', 'column', 'value', 'message'], s.errors.map((e) => [e.code, e.orders, e.lines, e.exampleKey, e.column, e.value, e.exampleMessage])));
    out.push('');
    for (const e of s.errors) out.push(`  ${e.code}: ${adviceFor(e.code).action}`);
    out.push('');
  } else out.push('no rows in ERROR', '');
  const c = s.boardCheck;
  if (c) {
    const kinds = Object.entries(c.counts).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`);
    out.push(`board     last checked by run #${c.run}: ${c.findings === 0 ? 'matched the database' : `${c.findings} finding(s) (${kinds.join(', ')}); \`ordersync verify\` lists them`}${c.overwritten ? `; ${c.overwritten} planner edit(s) overwritten` : ''}`, '');
  } else out.push('board     never checked yet (`ordersync verify`)', '');
  const rejected = rejectedOf(s.runs[0]?.counts);
  if (rejected.length) {
    out.push(`staging rows rejected by the last run (#${s.runs[0]?.id}):`);
    for (const x of rejected.slice(0, 10)) out.push(`  ${x.at}${x.key ? ` (${x.key})` : ''}: ${x.reason}`);
    out.push('');
  }
  if (s.runs.length && opts.history) out.push(`last ${s.runs.length} runs:`, formatRuns(s.runs.map(runSummary)));
  else if (s.runs.length) {
    out.push('last runs:');
    out.push(
      table(
        ['run', 'command', 'status', 'started', 'duration', 'requests', 'verdict'],
        s.runs.map((r) => [`#${r.id}`, r.command, r.process_gone ? 'RUNNING (process gone)' : r.status, r.started_at, r.duration_s === null ? (r.process_gone ? '' : 'running') : `${r.duration_s.toFixed(1)} s`, r.requests, r.verdict ?? r.error]),
        90,
      ),
    );
    const gone = s.runs.filter((r) => r.process_gone).map((r) => `#${r.id}`);
    if (gone.length) out.push('', `${gone.join(', ')}: recorded RUNNING, but no process holds the run lock (killed or crashed); the next \`ordersync run\` closes ${gone.length === 1 ? 'it' : 'them'} as ABORTED and carries on from there`);
  } else out.push('no runs yet');
  return out.join('\n');
}

/** Runs newest first: verdict, records, duration and the complexity each one spent. */
export function formatRuns(runs: RunSummary[]): string {
  if (runs.length === 0) return 'no runs';
  return table(
    ['run', 'command', 'status', 'started (UTC)', 'duration', 'ok', 'failed', 'cancelled', 'rejected', 'requests', 'complexity', 'verdict'],
    runs.map((r) => [
      `#${r.id}`,
      r.command,
      r.status,
      `${r.started_at.slice(0, 10)} ${r.started_at.slice(11, 19)}`,
      humanDuration(r.duration_s),
      grouped(r.records.succeeded),
      grouped(r.records.failed),
      grouped(r.records.cancelled),
      grouped(r.rejected_rows),
      grouped(r.requests),
      grouped(r.complexity_used),
      r.verdict ?? r.error,
    ]),
    90,
  );
}

export function formatHistory(key: string, h: OrderHistory, bodies: boolean): string {
  const out: string[] = [];
  const o = h.order;
  if (o) {
    out.push(
      `order ${key}: ${String(o.customer ?? '')} ${String(o.customer_season ?? '')} — ${String(o.sync_state)} / ${String(o.action)}${o.monday_item_id ? `, item ${String(o.monday_item_id)}` : ''}${o.is_cancelled ? ', cancelled' : ''}, ${String(o.total_qty)} units`,
    );
    if (o.last_error_code) out.push(`last error ${String(o.last_error_code)}: ${String(o.last_error ?? '')}\n  what to do: ${adviceFor(String(o.last_error_code)).action}`);
    out.push('', table(['size', 'qty', 'synced', 'action', 'state', 'subitem', 'error'], h.lines.map((l) => [l.size as string, l.qty as number, l.synced_qty as number, l.action as string, l.sync_state as string, l.monday_subitem_id as string, l.last_error_code as string])));
  } else out.push(`order ${key}: not in the orders table (history only)`);
  out.push('', 'journal:');
  out.push(
    h.events.length
      ? table(['when', 'run', 'size', 'operation', 'outcome', 'code', 'column', 'value', 'message'], h.events.map((e) => [e.created_at as string, `#${String(e.run_id)}`, e.size as string, e.operation as string, e.outcome as string, e.error_code as string, e.column_id as string, e.value as string, e.error_message as string]))
      : '  (none)',
  );
  out.push('', 'API exchanges:');
  out.push(
    h.api.length
      ? table(['when', 'run', 'operation', 'http', 'ms', 'request id', 'idempotency key'], h.api.map((a) => [a.created_at as string, `#${String(a.run_id)}`, a.operation as string, a.status as number, a.duration_ms as number, a.request_id as string, a.idempotency_key as string]))
      : '  (none)',
  );
  if (bodies) {
    for (const a of h.api) out.push('', `— #${String(a.id)} ${String(a.operation)} request:`, String(a.request ?? ''), 'response:', String(a.response ?? ''));
  }
  return out.join('\n');
}
