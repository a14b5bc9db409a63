import type { Settings } from '../config/index.js';
import type { Db } from '../db/index.js';
import { InputError } from '../errors.js';
import { adviceFor } from './advice.js';
import { grouped } from './format.js';
import { lastRuns, latestBoardCheck, runById, type RunRow } from './queries.js';
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

/** What the report leads with: the verdict, the records, what failed and what to do about it. */
export interface ReportSummary {
  verdict: Band;
  verdictText: string;
  records: { ok: number; failed: number; cancelled: number };
  failed: string[];
  todo: string[];
}

export interface RunReport {
  generatedAt: string;
  env: string;
  /** The customer as the orders table spells it (matched case-insensitively). */
  customer: string | null;
  summary: ReportSummary;
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

/**
 * The customer as stored, for a name typed in any case; an unknown name is refused with the
 * known ones, so a typo never reads as "this customer had nothing to sync".
 */
export async function resolveCustomer(db: Db, typed: string): Promise<string[]> {
  const rows = await db.kysely.selectFrom('orders').select('customer').distinct().where('customer', 'is not', null).execute();
  const known = rows.map((r) => r.customer as string).sort((a, b) => a.localeCompare(b));
  if (known.includes(typed)) return [typed];
  const matches = known.filter((k) => k.toLowerCase() === typed.toLowerCase());
  if (matches.length > 0) return matches;
  const shown = known.slice(0, KNOWN_SHOWN).join(', ');
  const more = known.length > KNOWN_SHOWN ? ` and ${known.length - KNOWN_SHOWN} more` : '';
  throw new InputError(`--customer "${typed}": no orders of that customer${known.length ? `; known customers: ${shown}${more}` : '; the orders table is empty'}`);
}

const KNOWN_SHOWN = 30;

export async function buildReport(db: Db, alerts: Settings['alerts'], opts: ReportOptions): Promise<RunReport> {
  const run = opts.runId !== undefined ? await runById(db, opts.runId) : (await lastRuns(db, { env: opts.env, limit: 1 }))[0];
  if (opts.runId !== undefined && !run) throw new InputError(`--run ${opts.runId}: no such run (\`ordersync status\` lists the last runs)`);
  const customers = opts.customer !== undefined ? await resolveCustomer(db, opts.customer) : undefined;
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
  if (customers) sq = sq.where('customer', 'in', customers);
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
    if (customers) eq = eq.where('orders.customer', 'in', customers);
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
  const advice = codes.map((code) => ({ code, ...adviceFor(code) }));
  const band = totalBand(run, customers, judge(alerts, { succeeded: totals.okRecords, failed: totals.failedRecords }));
  return {
    generatedAt: (opts.now ?? new Date()).toISOString(),
    env: opts.env,
    customer: customers?.join(', ') ?? null,
    summary: summaryOf(run, band, totals, list, advice),
    run: run ?? null,
    bands: { ok: alerts.success_ok, degraded: alerts.success_degraded },
    rows: list,
    totals: { ...totals, successRate: rate, band },
    advice,
  };
}

function summaryOf(run: RunRow | undefined, verdict: Band, t: { okRecords: number; failedRecords: number; cancelledOnBoard: number }, rows: CustomerSeasonReport[], advice: RunReport['advice']): ReportSummary {
  const byCode = new Map<string, { records: number; columns: Set<string> }>();
  for (const e of rows.flatMap((r) => r.errors)) {
    const g = byCode.get(e.code) ?? { records: 0, columns: new Set<string>() };
    g.records += e.records;
    if (e.column) g.columns.add(e.column);
    byCode.set(e.code, g);
  }
  const failed = [...byCode].sort((a, b) => b[1].records - a[1].records).map(([code, g]) => `${code}: ${g.records} record(s)${g.columns.size ? ` (column ${[...g.columns].join(', ')})` : ''}`);
  const todo = [...byCode.keys()].map((code) => `${code}: ${advice.find((a) => a.code === code)?.action ?? ''}`);
  const rejected = rejectedOf(run?.counts).length;
  if (rejected > 0) {
    failed.push(`${rejected} staging row(s) rejected (listed below by file and line)`);
    todo.push('Rejected staging rows: fix them in the upstream export (file and line below); the next ingest and run pick them up.');
  }
  const check = run ? latestBoardCheck([run]) : null;
  if (check && check.findings > 0) {
    failed.push(`the board differs from the database: ${check.findings} finding(s) (${Object.entries(check.counts).filter(([, k]) => k > 0).map(([kind, k]) => `${kind} ${k}`).join(', ')})`);
    todo.push('Drift: `ordersync verify` lists each finding; `ordersync verify --fix` then `ordersync run` repairs them.');
  }
  if (check && check.overwritten > 0) failed.push(`${check.overwritten} planner edit(s) overwritten by verify --fix`);
  if (run?.error) {
    failed.unshift(`the run stopped: ${run.error}`);
    const code = /^([A-Za-z_][A-Za-z0-9_]*):/.exec(run.error)?.[1];
    if (code) todo.unshift(`${code}: ${adviceFor(code).action}`);
  }
  if (!run) todo.push('No run recorded yet: `ordersync run`.');
  else if (todo.length === 0) todo.push('Nothing to do.');
  const verdictText = run ? `${verdict === 'NO_RECORDS' ? run.status : verdict} — run #${run.id} (${run.command}) started ${run.started_at}${run.duration_s !== null ? `, ${run.duration_s.toFixed(1)} s` : ''}${run.verdict ? `: ${run.verdict}` : ''}` : 'no run recorded yet';
  return { verdict, verdictText, records: { ok: t.okRecords, failed: t.failedRecords, cancelled: t.cancelledOnBoard }, failed, todo };
}

/** The whole run's band is its verdict (which also weighs a stop and rejected rows); a customer's slice is judged on its records. */
function totalBand(run: RunRow | undefined, customers: string[] | undefined, records: Band): Band {
  if (run && customers === undefined && (run.status === 'OK' || run.status === 'DEGRADED' || run.status === 'FAILED')) return run.status;
  return records;
}

const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
const BAND_MARK: Record<Band, string> = { OK: 'OK', DEGRADED: 'DEGRADED', FAILED: 'FAILED', NO_RECORDS: '—' };
const n = (v: number) => grouped(v);

const CUSTOMER_HEAD = ['Customer', 'Season', 'Orders', 'Synced', 'Units synced', 'Pending', 'In flight', 'Error', 'Skipped', 'Cancelled', 'Created', 'Updated', 'Cancelled on board', 'Failed records', 'Success', 'Band'];
const FAILURE_HEAD = ['Customer', 'Season', 'Code', 'Column', 'Value', 'Records', 'Example', 'Message'];
type Figures = Omit<CustomerSeasonReport, 'customer' | 'season' | 'errors'>;
const figures = (x: Figures) => [x.orders, x.synced, x.unitsSynced, x.pending, x.inFlight, x.error, x.skipped, x.cancelled, x.created, x.updated, x.cancelledOnBoard, x.failedRecords].map(n);
const failuresOf = (r: RunReport) => r.rows.flatMap((x) => x.errors.map((e) => ({ ...e, customer: x.customer, season: x.season })));
const recordsLine = (r: RunReport) => `${n(r.summary.records.ok)} records written, ${n(r.summary.records.failed)} failed, ${n(r.summary.records.cancelled)} cancelled on the board (kept out of the rate)`;
const bandsLine = (r: RunReport) => `Success is measured in records (items and subitems written), cancelled orders excluded; bands: OK ≥ ${pct(r.bands.ok)}, DEGRADED ≥ ${pct(r.bands.degraded)}, FAILED below.`;

/**
 * Markdown escapes, never HTML entities: pipes and newlines would break a table row, and a
 * backslash before `<` keeps a value's markup text (CommonMark) while a terminal still reads it.
 */
function md(v: unknown): string {
  return String(v ?? '').replace(/[\\|<]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}

export function reportMarkdown(r: RunReport): string {
  const out: string[] = [];
  const s = r.summary;
  out.push(`# ordersync report — ${md(r.env)}${r.customer !== null ? ` — ${md(r.customer)}` : ''}`, '');
  out.push(`> **Verdict: ${md(s.verdict === 'NO_RECORDS' ? (r.run?.status ?? 'no run') : s.verdict)}** — ${md(s.verdictText)}`, '>', `> **Records:** ${recordsLine(r)}`, '>');
  out.push(`> **What failed:** ${s.failed.length ? '' : 'nothing'}`);
  for (const f of s.failed) out.push(`> - ${md(f)}`);
  out.push('>', '> **What to do:**');
  for (const t of s.todo) out.push(`> - ${md(t)}`);
  out.push('');
  const errs = failuresOf(r);
  if (errs.length) {
    out.push('## Failures in this run', '', `| ${FAILURE_HEAD.join(' | ')} |`, '|---|---|---|---|---|--:|---|---|');
    for (const e of errs) out.push(`| ${md(e.customer)} | ${md(e.season)} | ${md(e.code)} | ${md(e.column ?? '')} | ${md(e.value ?? '')} | ${n(e.records)} | ${md(e.exampleKey)} | ${md(e.message)} |`);
    out.push('');
  }
  const rejected = rejectedOf(r.run?.counts);
  if (rejected.length) {
    out.push('## Staging rows rejected by this run', '', '| Where | Key | Reason |', '|---|---|---|');
    for (const x of rejected) out.push(`| ${md(x.at)} | ${md(x.key ?? '')} | ${md(x.reason)} |`);
    out.push('');
  }
  if (r.advice.length) {
    out.push('## What to do, per error code', '');
    for (const a of r.advice) out.push(`- **${md(a.code)}** — ${md(a.meaning)} ${md(a.action)}`);
    out.push('');
  }
  out.push('## Per customer and season', '', bandsLine(r), '', `| ${CUSTOMER_HEAD.join(' | ')} |`, `|---|---|${'--:|'.repeat(13)}---|`);
  const row = (name: string, season: string, x: Figures) => `| ${name} | ${season} | ${figures(x).join(' | ')} | ${pct(x.successRate)} | ${BAND_MARK[x.band]} |`;
  for (const x of r.rows) out.push(row(md(x.customer), md(x.season), x));
  out.push(row('**Total**', '', r.totals), '');
  return out.join('\n');
}

export function escapeHtml(v: unknown): string {
  return String(v ?? '').replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function reportHtml(r: RunReport): string {
  const e = escapeHtml;
  const s = r.summary;
  const th = (h: string[]) => `<thead><tr>${h.map((x) => `<th>${e(x)}</th>`).join('')}</tr></thead>`;
  const cells = (name: string, season: string, x: Figures) =>
    `<td>${e(name)}</td><td>${e(season)}</td>${figures(x).map((c) => `<td class="num">${e(c)}</td>`).join('')}<td class="num">${e(pct(x.successRate))}</td><td>${e(BAND_MARK[x.band])}</td>`;
  const body = r.rows.map((x) => `<tr class="band-${e(x.band)}">${cells(x.customer, x.season, x)}</tr>`).join('\n');
  const errs = failuresOf(r);
  const rejected = rejectedOf(r.run?.counts);
  const list = (items: string[]) => `<ul>${items.map((x) => `<li>${e(x)}</li>`).join('')}</ul>`;
  const summary = `<section id="summary" class="summary band-${e(s.verdict)}">
<p class="verdict"><strong>Verdict: ${e(s.verdict === 'NO_RECORDS' ? (r.run?.status ?? 'no run') : s.verdict)}</strong> — ${e(s.verdictText)}</p>
<p><strong>Records:</strong> ${e(recordsLine(r))}</p>
<p><strong>What failed:</strong>${s.failed.length ? '' : ' nothing'}</p>${s.failed.length ? list(s.failed) : ''}
<p><strong>What to do:</strong></p>${list(s.todo)}
</section>`;
  const failures = errs.length
    ? `<h2>Failures in this run</h2><table id="failures">${th(FAILURE_HEAD)}<tbody>
${errs.map((x) => `<tr>${[x.customer, x.season, x.code, x.column ?? '', x.value ?? ''].map((c) => `<td>${e(c)}</td>`).join('')}<td class="num">${e(n(x.records))}</td><td>${e(x.exampleKey)}</td><td class="prose">${e(x.message)}</td></tr>`).join('\n')}
</tbody></table>`
    : '';
  const rejectedTable = rejected.length
    ? `<h2>Staging rows rejected by this run</h2><table id="rejected">${th(['Where', 'Key', 'Reason'])}<tbody>
${rejected.map((x) => `<tr><td>${e(x.at)}</td><td>${e(x.key ?? '')}</td><td class="prose">${e(x.reason)}</td></tr>`).join('\n')}
</tbody></table>`
    : '';
  const advice = r.advice.length ? `<h2>What to do, per error code</h2><ul>${r.advice.map((a) => `<li><b>${e(a.code)}</b> — ${e(a.meaning)} ${e(a.action)}</li>`).join('')}</ul>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ordersync report ${e(r.env)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:90em}table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}td.num{text-align:right;font-variant-numeric:tabular-nums}.summary{border:2px solid #999;padding:.5em 1em;margin-bottom:1.5em}.summary.band-OK{border-color:#2a7;background:#efe}.band-FAILED{background:#fdd}.summary.band-FAILED{border-color:#c33}.band-DEGRADED{background:#ffd}.summary.band-DEGRADED{border-color:#c90}</style></head>
<body>
<h1>ordersync report — ${e(r.env)}${r.customer !== null ? ` — ${e(r.customer)}` : ''}</h1>
${summary}
${failures}
${rejectedTable}
${advice}
<h2>Per customer and season</h2>
<p>${e(bandsLine(r))}</p>
<table id="customers">${th(CUSTOMER_HEAD)}
<tbody>
${body}
<tr class="total band-${e(r.totals.band)}">${cells('Total', '', r.totals)}</tr>
</tbody></table>
</body></html>
`;
}
