import type { Settings } from '../config/schema.js';
import type { Db } from '../db/connect.js';
import { InputError } from '../errors.js';
import { adviceFor } from './advice.js';
import { lastRuns, runById, type RunRow } from './queries.js';
import { judge, type Band } from './verdict.js';

/**
 * The run report: per customer and season, what the board holds now (from the orders
 * table) and what the selected run did (from its journal), in records, never batches.
 * Cancelled orders are counted on their own and kept out of the success rate.
 */

export type { Band } from './verdict.js';

/** The rejected rows a run recorded (see job.ts), tolerating runs recorded before they were kept. */
export function rejectedOf(counts: Record<string, unknown> | undefined): Array<{ at: string; key: string | null; reason: string }> {
  const list = counts?.rejected;
  return Array.isArray(list) ? (list as Array<{ at: string; key: string | null; reason: string }>) : [];
}

export interface ReportError {
  code: string;
  column: string | null;
  value: string | null;
  records: number;
  exampleKey: string;
  message: string;
}

export interface CustomerSeasonReport {
  customer: string;
  season: string;
  /** Current state, from the orders table. `orders` = active states + cancelled. */
  orders: number;
  synced: number;
  unitsSynced: number;
  pending: number;
  inFlight: number;
  error: number;
  skipped: number;
  cancelled: number;
  /** The run's journal. */
  created: number;
  updated: number;
  cancelledOnBoard: number;
  archived: number;
  subitemsWritten: number;
  okRecords: number;
  failedRecords: number;
  successRate: number | null;
  band: Band;
  errors: ReportError[];
}

export interface RunReport {
  generatedAt: string;
  env: string;
  customer: string | null;
  run: RunRow | null;
  bands: { ok: number; degraded: number };
  rows: CustomerSeasonReport[];
  totals: Omit<CustomerSeasonReport, 'customer' | 'season' | 'errors' | 'band' | 'successRate'> & { successRate: number | null; band: Band };
  advice: Array<{ code: string; meaning: string; action: string }>;
}

const NO_CUSTOMER = '(no customer)';
const NO_SEASON = '(no season)';
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));


const ITEM_WRITES = new Set(['create_item', 'update_item', 'archive_item']);
const SUBITEM_WRITES = new Set(['create_subitem', 'update_subitem', 'zero_subitem', 'delete_subitem', 'archive_subitem']);

export interface ReportOptions {
  env: string;
  runId?: number;
  /** Use the latest run of the environment (the default when runId is absent). */
  last?: boolean;
  customer?: string;
  now?: Date;
}

export async function buildReport(db: Db, alerts: Settings['alerts'], opts: ReportOptions): Promise<RunReport> {
  const run = opts.runId !== undefined ? await runById(db, opts.runId) : (await lastRuns(db, { env: opts.env, limit: 1 }))[0];
  if (opts.runId !== undefined && !run) throw new InputError(`--run ${opts.runId}: no such run (\`ordersync status\` lists the last runs)`);
  const rows = new Map<string, CustomerSeasonReport>();
  const get = (customer: string | null, season: string | null) => {
    const c = customer ?? NO_CUSTOMER;
    const s = season ?? NO_SEASON;
    const id = JSON.stringify([c, s]);
    let r = rows.get(id);
    if (!r) {
      rows.set(
        id,
        (r = {
          customer: c,
          season: s,
          orders: 0,
          synced: 0,
          unitsSynced: 0,
          pending: 0,
          inFlight: 0,
          error: 0,
          skipped: 0,
          cancelled: 0,
          created: 0,
          updated: 0,
          cancelledOnBoard: 0,
          archived: 0,
          subitemsWritten: 0,
          okRecords: 0,
          failedRecords: 0,
          successRate: null,
          band: 'NO_RECORDS',
          errors: [],
        }),
      );
    }
    return r;
  };

  let sq = db.kysely
    .selectFrom('orders')
    .select(['customer', 'customer_season', 'aag_season', 'sync_state', 'is_cancelled', db.kysely.fn.countAll().as('n'), db.kysely.fn.sum('total_qty').as('units')])
    .groupBy(['customer', 'customer_season', 'aag_season', 'sync_state', 'is_cancelled']);
  if (opts.customer !== undefined) sq = sq.where('customer', '=', opts.customer);
  for (const s of await sq.execute()) {
    // The season that names the group: the customer's, or the internal one when it is empty.
    const r = get(s.customer, s.customer_season ?? s.aag_season);
    const n = num(s.n);
    r.orders += n;
    if (num(s.is_cancelled) === 1) {
      r.cancelled += n;
      continue;
    }
    if (s.sync_state === 'SYNCED') {
      r.synced += n;
      r.unitsSynced += num(s.units);
    } else if (s.sync_state === 'PENDING') r.pending += n;
    else if (s.sync_state === 'IN_FLIGHT') r.inFlight += n;
    else if (s.sync_state === 'ERROR') r.error += n;
    else r.skipped += n;
  }

  if (run) {
    let eq = db.kysely
      .selectFrom('sync_events')
      .leftJoin('orders', 'orders.order_key', 'sync_events.order_key')
      .select([
        'orders.customer',
        'orders.customer_season',
        'orders.aag_season',
        'sync_events.order_key',
        'sync_events.size',
        'sync_events.operation',
        'sync_events.outcome',
        'sync_events.error_code',
        'sync_events.error_message',
        'sync_events.column_id',
        'sync_events.value',
      ])
      .where('sync_events.run_id', '=', run.id)
      // Board-level events (a group created) belong to no customer's rows.
      .where('sync_events.order_key', 'is not', null)
      .orderBy('sync_events.id');
    if (opts.customer !== undefined) eq = eq.where('orders.customer', '=', opts.customer);
    for (const e of await eq.execute()) {
      const r = get(e.customer, e.customer_season ?? e.aag_season);
      if (e.outcome === 'ERROR') {
        r.failedRecords++;
        const code = e.error_code ?? 'unknown';
        let err = r.errors.find((x) => x.code === code && x.column === e.column_id && x.value === e.value);
        if (!err) r.errors.push((err = { code, column: e.column_id, value: e.value, records: 0, exampleKey: `${e.order_key ?? ''}${e.size ? ` / ${e.size}` : ''}`, message: e.error_message ?? '' }));
        err.records++;
        continue;
      }
      if (e.outcome !== 'OK') continue;
      if (e.operation === 'cancel_item') {
        r.cancelledOnBoard++;
        continue;
      }
      if (e.operation === 'create_item') r.created++;
      else if (e.operation === 'update_item') r.updated++;
      else if (e.operation === 'archive_item') r.archived++;
      else if (SUBITEM_WRITES.has(e.operation)) r.subitemsWritten++;
      if (ITEM_WRITES.has(e.operation) || SUBITEM_WRITES.has(e.operation)) r.okRecords++;
    }
  }

  const list = [...rows.values()].sort((a, b) => a.customer.localeCompare(b.customer) || a.season.localeCompare(b.season));
  for (const r of list) {
    const attempted = r.okRecords + r.failedRecords;
    r.successRate = attempted === 0 ? null : r.okRecords / attempted;
    r.band = judge(alerts, { succeeded: r.okRecords, failed: r.failedRecords });
    r.errors.sort((a, b) => b.records - a.records || a.code.localeCompare(b.code));
  }
  const sumKeys = ['orders', 'synced', 'unitsSynced', 'pending', 'inFlight', 'error', 'skipped', 'cancelled', 'created', 'updated', 'cancelledOnBoard', 'archived', 'subitemsWritten', 'okRecords', 'failedRecords'] as const;
  const totals = Object.fromEntries(sumKeys.map((k) => [k, list.reduce((s, r) => s + r[k], 0)])) as Record<(typeof sumKeys)[number], number>;
  const attempted = totals.okRecords + totals.failedRecords;
  const rate = attempted === 0 ? null : totals.okRecords / attempted;
  const codes = [...new Set(list.flatMap((r) => r.errors.map((e) => e.code)))].sort();
  return {
    generatedAt: (opts.now ?? new Date()).toISOString(),
    env: opts.env,
    customer: opts.customer ?? null,
    run: run ?? null,
    bands: { ok: alerts.success_ok, degraded: alerts.success_degraded },
    rows: list,
    totals: { ...totals, successRate: rate, band: totalBand(run, opts.customer, judge(alerts, { succeeded: totals.okRecords, failed: totals.failedRecords })) },
    advice: codes.map((code) => ({ code, ...adviceFor(code) })),
  };
}

/** The whole run's band is its verdict (which also weighs a stop and rejected rows); a customer's slice is judged on its records. */
function totalBand(run: RunRow | undefined, customer: string | undefined, records: Band): Band {
  if (run && customer === undefined && (run.status === 'OK' || run.status === 'DEGRADED' || run.status === 'FAILED')) return run.status;
  return records;
}

const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
const BAND_MARK: Record<Band, string> = { OK: 'OK', DEGRADED: 'DEGRADED', FAILED: 'FAILED', NO_RECORDS: '—' };

function runLine(r: RunReport): string {
  if (!r.run) return 'No run recorded yet: activity columns are empty.';
  const x = r.run;
  return `Run #${x.id} (${x.command}, ${x.status}) started ${x.started_at}${x.duration_s !== null ? `, ${x.duration_s.toFixed(1)} s` : ''}: ${x.verdict ?? ''}`;
}

/** Markdown table cells: pipes and newlines would break the row. */
function md(v: unknown): string {
  return String(v ?? '').replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function reportMarkdown(r: RunReport): string {
  const out: string[] = [];
  out.push(`# ordersync report — ${md(r.env)}${r.customer !== null ? ` — ${md(r.customer)}` : ''}`, '');
  out.push(md(runLine(r)), '');
  out.push(
    `Success is measured in records (items and subitems written), cancelled orders excluded; bands: OK ≥ ${pct(r.bands.ok)}, DEGRADED ≥ ${pct(r.bands.degraded)}, FAILED below.`,
    '',
  );
  out.push(
    '| Customer | Season | Orders | Synced | Units synced | Pending | In flight | Error | Skipped | Cancelled | Created | Updated | Cancelled on board | Failed records | Success | Band |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|',
  );
  const row = (name: string, season: string, x: Omit<CustomerSeasonReport, 'customer' | 'season' | 'errors'>) =>
    `| ${name} | ${season} | ${x.orders} | ${x.synced} | ${x.unitsSynced} | ${x.pending} | ${x.inFlight} | ${x.error} | ${x.skipped} | ${x.cancelled} | ${x.created} | ${x.updated} | ${x.cancelledOnBoard} | ${x.failedRecords} | ${pct(x.successRate)} | ${BAND_MARK[x.band]} |`;
  for (const x of r.rows) out.push(row(md(x.customer), md(x.season), x));
  out.push(row('**Total**', '', r.totals), '');
  const errs = r.rows.flatMap((x) => x.errors.map((e) => ({ ...e, customer: x.customer, season: x.season })));
  if (errs.length) {
    out.push('## Failures in this run', '', '| Customer | Season | Code | Column | Value | Records | Example | Message |', '|---|---|---|---|---|--:|---|---|');
    for (const e of errs) out.push(`| ${md(e.customer)} | ${md(e.season)} | ${md(e.code)} | ${md(e.column ?? '')} | ${md(e.value ?? '')} | ${e.records} | ${md(e.exampleKey)} | ${md(e.message)} |`);
    out.push('');
  }
  const rejected = rejectedOf(r.run?.counts);
  if (rejected.length) {
    out.push('## Staging rows rejected by this run', '', '| Where | Key | Reason |', '|---|---|---|');
    for (const x of rejected) out.push(`| ${md(x.at)} | ${md(x.key ?? '')} | ${md(x.reason)} |`);
    out.push('');
  }
  if (r.advice.length) {
    out.push('## What to do', '');
    for (const a of r.advice) out.push(`- **${md(a.code)}** — ${md(a.meaning)} ${md(a.action)}`);
    out.push('');
  }
  return out.join('\n');
}

export function escapeHtml(v: unknown): string {
  return String(v ?? '').replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function reportHtml(r: RunReport): string {
  const e = escapeHtml;
  const head = ['Customer', 'Season', 'Orders', 'Synced', 'Units synced', 'Pending', 'In flight', 'Error', 'Skipped', 'Cancelled', 'Created', 'Updated', 'Cancelled on board', 'Failed records', 'Success', 'Band'];
  const cells = (name: string, season: string, x: Omit<CustomerSeasonReport, 'customer' | 'season' | 'errors'>) =>
    [name, season, x.orders, x.synced, x.unitsSynced, x.pending, x.inFlight, x.error, x.skipped, x.cancelled, x.created, x.updated, x.cancelledOnBoard, x.failedRecords, pct(x.successRate), BAND_MARK[x.band]]
      .map((c) => `<td>${e(c)}</td>`)
      .join('');
  const body = r.rows.map((x) => `<tr class="band-${e(x.band)}">${cells(x.customer, x.season, x)}</tr>`).join('\n');
  const errs = r.rows.flatMap((x) => x.errors.map((er) => ({ ...er, customer: x.customer, season: x.season })));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ordersync report ${e(r.env)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25em .5em}td:nth-child(n+3){text-align:right}.band-FAILED{background:#fdd}.band-DEGRADED{background:#ffd}</style></head>
<body>
<h1>ordersync report — ${e(r.env)}${r.customer !== null ? ` — ${e(r.customer)}` : ''}</h1>
<p>${e(runLine(r))}</p>
<p>Success in records, cancelled orders excluded. Bands: OK ≥ ${e(pct(r.bands.ok))}, DEGRADED ≥ ${e(pct(r.bands.degraded))}.</p>
<table><thead><tr>${head.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead>
<tbody>
${body}
<tr><th>${e('Total')}</th>${cells('', '', r.totals).replace(/^<td><\/td>/, '')}</tr>
</tbody></table>
${errs.length ? `<h2>Failures in this run</h2><table><thead><tr>${['Customer', 'Season', 'Code', 'Column', 'Value', 'Records', 'Example', 'Message'].map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>
${errs.map((x) => `<tr>${[x.customer, x.season, x.code, x.column ?? '', x.value ?? '', x.records, x.exampleKey, x.message].map((c) => `<td>${e(c)}</td>`).join('')}</tr>`).join('\n')}
</tbody></table>` : ''}
${r.advice.length ? `<h2>What to do</h2><ul>${r.advice.map((a) => `<li><b>${e(a.code)}</b> — ${e(a.meaning)} ${e(a.action)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
