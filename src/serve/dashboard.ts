import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ResolvedConfig } from '../config/index.js';
import type { Db, RunStatus } from '../db/index.js';
import { clientSettings } from '../monday/index.js';
import {
  adviceFor,
  lastRuns,
  latestBoardCheck,
  statusSnapshot,
  buildReport,
  escapeHtml,
  rejectedOf,
  recordsOf,
  grouped,
  humanDuration,
  type RunRow,
  type StatusSnapshot,
  type RunReport,
} from '../observe/index.js';

/**
 * The dashboard answers "is the sync healthy, and if not, what do I do?" first: a health banner,
 * then charts over the runs, then failures, then the tables. The server renders every table
 * (escaped), so the page reads without JavaScript; the script only turns times into local
 * time, draws the charts (uPlot, served from ordersync's own dependency, no CDN) and refreshes.
 * Behind a token, the page is a data-less shell until the script has the token.
 */

/** Commands whose run records are sync runs (the banner and the charts are about these). */
const SYNC_COMMANDS = new Set(['run', 'sync', 'retry', 'cutover:canary', 'cutover:full']);
const isSyncRun = (r: RunRow) => SYNC_COMMANDS.has(r.command);

export type Health = 'OK' | 'DEGRADED' | 'FAILED' | 'ABORTED' | 'RUNNING' | 'NONE';

export interface HealthBanner {
  health: Health;
  run: { id: number; command: string; at: string; verdict: string | null } | null;
  /** The one thing to do. */
  action: string;
}

export interface HistoryPoint {
  id: number;
  started_at: string;
  status: RunStatus;
  ok: number;
  failed: number;
  cancelled: number;
  duration_s: number | null;
  complexity_used: number;
  /** Complexity the configured budget allowed over the run's duration. */
  complexity_budget: number;
  backlog_orders: number | null;
  oldest_pending_minutes: number | null;
}

export interface DashboardData {
  env: string;
  at: string;
  banner: HealthBanner;
  status: StatusSnapshot;
  report: RunReport;
  history: HistoryPoint[];
  drift: { run: number; counts: Record<string, number>; overwritten: number } | null;
}

export async function dashboardData(db: Db, cfg: ResolvedConfig, now = new Date()): Promise<DashboardData> {
  const env = cfg.envName;
  const status = await statusSnapshot(db, env, now);
  const report = await buildReport(db, cfg.settings.alerts, { env });
  const all = await lastRuns(db, { env, limit: 200 });
  const newestFirst = all.filter(isSyncRun).slice(0, 50);
  const perMinute = clientSettings(cfg.settings.monday).complexityPerMinute;
  const history = [...newestFirst].reverse().map((r): HistoryPoint => {
    const rec = recordsOf(r.counts.sync as Record<string, number> | null);
    const b = r.counts.backlog as { orders?: number; oldest_pending_minutes?: number | null } | undefined;
    return {
      id: r.id,
      started_at: r.started_at,
      status: r.status,
      ok: rec.succeeded,
      failed: rec.failed,
      cancelled: rec.cancelled,
      duration_s: r.duration_s,
      complexity_used: r.complexity_used,
      complexity_budget: Math.round(perMinute * Math.max(1, (r.duration_s ?? 0) / 60)),
      backlog_orders: b?.orders ?? null,
      oldest_pending_minutes: b?.oldest_pending_minutes ?? null,
    };
  });
  const check = latestBoardCheck(all);
  const drift = check ? { run: check.run, counts: check.counts, overwritten: check.overwritten } : null;
  return { env, at: now.toISOString(), banner: healthOf(newestFirst[0], status, drift), status, report, history, drift };
}

function healthOf(last: RunRow | undefined, status: StatusSnapshot, drift: DashboardData['drift']): HealthBanner {
  if (!last) return { health: 'NONE', run: null, action: 'No sync run yet: `ordersync run` (or `ordersync cutover` for a board that already holds the orders).' };
  const run = { id: last.id, command: last.command, at: last.finished_at ?? last.started_at, verdict: short(last.verdict ?? last.error) };
  const topError = status.errors[0];
  const drifted = drift && drift.run === last.id ? Object.values(drift.counts).reduce((a, b) => a + b, 0) : 0;
  if (last.status === 'RUNNING' && status.runs.find((r) => r.id === last.id)?.process_gone) {
    return { health: 'ABORTED', run, action: `Run #${last.id} is recorded RUNNING but its process is gone (killed or crashed): the next \`ordersync run\` closes it as ABORTED and carries on.` };
  }
  if (last.status === 'RUNNING') return { health: 'RUNNING', run, action: 'A run is in progress; the page refreshes every 30 s.' };
  if (drifted > 0) {
    return { health: last.status as Health, run, action: `The board differs from what run #${last.id} wrote (${drifted} finding(s)): \`ordersync verify\` lists them, \`ordersync verify --fix\` then \`ordersync run\` repairs them.` };
  }
  if (last.status === 'OK') {
    return { health: 'OK', run, action: topError ? `Nothing urgent; ${topError.orders + topError.lines} row(s) still parked in ${topError.code}: ${adviceFor(topError.code).action}` : 'Nothing to do.' };
  }
  // What stopped the run comes before rows parked from earlier runs.
  const code = /^([A-Za-z_][A-Za-z0-9_]*):/.exec(last.error ?? '')?.[1];
  if (code) return { health: last.status as Health, run, action: `${code}: ${adviceFor(code).action} (\`ordersync report --run ${last.id}\`)` };
  if (topError) return { health: last.status as Health, run, action: `${topError.code} (${topError.orders + topError.lines} rows): ${adviceFor(topError.code).action}` };
  return { health: last.status as Health, run, action: `${short(last.error ?? last.verdict ?? 'see the run record')}: \`ordersync report --run ${last.id}\` shows what failed.` };
}

/** A server's error page quoted in a message is noise in a headline: its first 160 characters, tags dropped. */
function short(text: string | null): string | null {
  if (text === null) return null;
  const plain = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return plain.length > 160 ? `${plain.slice(0, 159)}…` : plain;
}

const fmt = grouped;
const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

/** A time the script turns into local time; without the script, UTC. */
function time(iso: string | null): string {
  if (!iso) return '—';
  const utc = `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
  return `<time datetime="${escapeHtml(iso)}" title="${escapeHtml(utc)}">${escapeHtml(utc)}</time>`;
}

const td = (v: unknown, cls?: string) => `<td${cls ? ` class="${escapeHtml(cls)}"` : ''}>${escapeHtml(v ?? '')}</td>`;
const tdRaw = (html: string, cls?: string) => `<td${cls ? ` class="${cls}"` : ''}>${html}</td>`;
const num = (v: number | null | undefined) => `<td class="num">${fmt(v)}</td>`;

function table(id: string, head: string[], rows: string[], empty = 'none'): string {
  const body = rows.length > 0 ? rows.join('') : `<tr><td colspan="${head.length}">${escapeHtml(empty)}</td></tr>`;
  return `<table id="${id}"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

/** The body of the page (everything but the order lookup), every value escaped. */
export function renderDashboardMain(d: DashboardData): string {
  const b = d.banner;
  const s = d.status;
  const bl = s.backlog;
  const banner = `<section id="health" class="health health-${b.health}"><p class="verdict">${escapeHtml(b.health === 'NONE' ? 'No sync run yet' : `Last sync run: ${b.health}`)}</p>${
    b.run ? `<p class="when">#${b.run.id} ${escapeHtml(b.run.command)} · ${time(b.run.at)}${b.run.verdict ? ` · ${escapeHtml(b.run.verdict)}` : ''}</p>` : ''
  }<p class="todo"><strong>What to do:</strong> ${escapeHtml(b.action)}</p></section>`;

  const charts = `<section id="charts"><h2>Over the last ${d.history.length} sync runs</h2><div class="charts">${[
    ['chart-records', 'Records per run: OK, failed, cancelled'],
    ['chart-duration', 'Run duration (s)'],
    ['chart-backlog', 'Backlog at the end of each run (orders) and oldest pending (min)'],
    ['chart-complexity', 'Complexity used against the budget over the run'],
  ]
    .map(([id, caption]) => `<figure><figcaption>${escapeHtml(caption)}</figcaption><div class="chart" id="${id}"></div></figure>`)
    .join('')}</div><script type="application/json" id="history">${jsonForScript(d.history)}</script></section>`;

  const errors = table(
    'errors',
    ['Code', 'Orders', 'Lines', 'Example', 'Column', 'Value', 'Message', 'What to do'],
    s.errors.map((e) => `<tr>${td(e.code)}${num(e.orders)}${num(e.lines)}${td(e.exampleKey)}${td(e.column)}${td(e.value)}${td(e.exampleMessage)}${td(adviceFor(e.code).action, 'prose')}</tr>`),
    'no rows in ERROR',
  );
  const driftRows = d.drift ? Object.entries(d.drift.counts).filter(([, n]) => n > 0).map(([k, n]) => `<tr>${td(k)}${num(n)}</tr>`) : [];
  if (d.drift && d.drift.overwritten > 0) driftRows.push(`<tr>${td('planner edits overwritten (verify --fix)')}${num(d.drift.overwritten)}</tr>`);
  const drift = table('drift', ['Finding (latest board check)', 'Count'], driftRows, d.drift ? `the board matched at run #${d.drift.run}` : 'no board check recorded yet');
  // The rejected rows of the latest run that read staging: fixed upstream, so they stay listed until a run reads them clean.
  const merged = s.runs.find((r) => r.counts.merge !== null && r.counts.merge !== undefined);
  const rejected = rejectedOf(merged?.counts);
  const rejectedRows = rejected.map((x) => `<tr>${td(x.at)}${td(x.key ?? '')}${td(x.reason, 'prose')}</tr>`);
  const more = merged ? Number(merged.counts.rejected_rows ?? rejected.length) - rejected.length : 0;
  if (more > 0) rejectedRows.push(`<tr><td colspan="3">${escapeHtml(`and ${fmt(more)} more (the run record keeps the first ${fmt(rejected.length)}; \`ordersync merge --dry-run --show N\` lists them all)`)}</td></tr>`);
  const rejectedTable = table('rejected', [`Rejected staging row${merged ? ` (run #${merged.id})` : ''}`, 'Key', 'Reason'], rejectedRows, merged ? `no staging row rejected by run #${merged.id}` : 'no merge recorded yet');
  const failures = `<section id="failures"><h2>Failures</h2>${errors}${rejectedTable}${drift}</section>`;

  const backlog = `<section><h2>Backlog</h2><dl id="backlog"><dt>Pending orders</dt><dd>${fmt(bl.pendingOrders)}</dd><dt>Pending lines</dt><dd>${fmt(bl.pendingLines)}</dd><dt>Oldest pending</dt><dd>${
    bl.oldestPendingSince ? `${time(bl.oldestPendingSince)} (${humanDuration((bl.oldestPendingMinutes ?? 0) * 60)}, ${escapeHtml(bl.oldestPendingKey)})` : '—'
  }</dd><dt>In flight</dt><dd>${fmt(bl.inFlightOrders)} orders, ${fmt(bl.inFlightLines)} lines${bl.oldestInFlightSince ? ` since ${time(bl.oldestInFlightSince)}` : ''}</dd></dl>${table(
    'states',
    ['Table', 'State', 'Action', 'Rows'],
    s.rows.map((r) => `<tr>${td(r.table)}${td(r.sync_state)}${td(r.action)}${num(r.count)}</tr>`),
  )}</section>`;

  const runs = `<section><h2>Last runs</h2>${table(
    'runs',
    ['Run', 'Command', 'Status', 'Started', 'Duration', 'Requests', 'Complexity', 'Verdict'],
    s.runs.map((r) => `<tr>${td(`#${r.id}`)}${td(r.command)}${td(r.status, `status-${r.status}`)}${tdRaw(time(r.started_at))}${td(humanDuration(r.duration_s), 'num')}${num(r.requests)}${num(r.complexity_used)}${td(r.verdict ?? r.error ?? '', 'prose')}</tr>`),
  )}</section>`;

  const t = d.report.totals;
  const customerRows = d.report.rows.map((c) => {
    const active = c.orders - c.cancelled;
    return `<tr>${td(c.customer)}${td(c.season)}${num(c.orders)}${num(c.synced)}${num(c.unitsSynced)}${num(c.pending)}${num(c.error)}${num(c.cancelled)}${tdRaw(`<progress max="${active > 0 ? active : 1}" value="${c.synced}"></progress>`)}${td(`${pct(c.successRate)} ${c.band === 'NO_RECORDS' ? '' : c.band}`.trim(), `band-${c.band}`)}</tr>`;
  });
  if (d.report.rows.length > 0) {
    customerRows.push(`<tr class="total">${td('Total')}${td('')}${num(t.orders)}${num(t.synced)}${num(t.unitsSynced)}${num(t.pending)}${num(t.error)}${num(t.cancelled)}${td('')}${td(`${pct(t.successRate)} ${t.band === 'NO_RECORDS' ? '' : t.band}`.trim(), `band-${t.band}`)}</tr>`);
  }
  const customers = `<section><h2>Customers</h2>${table('customers', ['Customer', 'Season', 'Orders', 'Synced', 'Units synced', 'Pending', 'Error', 'Cancelled', 'Progress', 'Last run'], customerRows)}</section>`;

  return banner + charts + failures + backlog + runs + customers;
}

/** JSON inside a script element: `<` escaped so no value can close the element. */
function jsonForScript(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The page; `data` absent behind a token (the script asks for it, then fetches the body). */
export function renderDashboard(env: string, data?: DashboardData): string {
  const updated = data ? `as of ${time(data.at)}` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ordersync ${escapeHtml(env)}</title>
<link rel="stylesheet" href="/vendor/uPlot.min.css">
<link rel="stylesheet" href="/dashboard.css">
</head>
<body>
<header><h1>ordersync <span id="env">${escapeHtml(env)}</span></h1><span id="updated">${updated}</span> <button id="refresh" type="button">Refresh</button></header>
<form id="auth" hidden><label>Dashboard token <input id="token" type="password" autocomplete="off"></label> <button type="submit">Open</button> <span id="auth-error"></span></form>
<main id="main"${data ? '' : ' hidden'}><div id="body">${data ? renderDashboardMain(data) : ''}</div>
<section><h2>Order lookup</h2>
<form id="lookup"><input id="order-key" placeholder="order key" autocomplete="off"> <button type="submit">Show history</button></form>
<div id="order"><p id="order-summary"></p>
<table id="order-events"><thead><tr><th>When</th><th>Run</th><th>Size</th><th>Operation</th><th>Outcome</th><th>Code</th><th>Column</th><th>Value</th><th>Message</th></tr></thead><tbody></tbody></table>
<table id="order-api"><thead><tr><th>When</th><th>Run</th><th>Operation</th><th>HTTP</th><th>ms</th><th>Request id</th></tr></thead><tbody></tbody></table></div>
</section>
</main>
<script src="/vendor/uPlot.iife.min.js"></script>
<script src="/dashboard.js"></script>
</body>
</html>
`;
}

let vendored: { js: string; css: string } | undefined;

/** uPlot's files from ordersync's own dependency, read once. */
export function uplotAssets(): { js: string; css: string } {
  if (!vendored) {
    const require = createRequire(import.meta.url);
    vendored = {
      js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
  }
  return vendored;
}

export const DASHBOARD_CSS = `body{font:14px system-ui,sans-serif;margin:1.5em;color:#222;max-width:1400px}
header{display:flex;gap:1em;align-items:baseline}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.prose{max-width:40em}
tr.total td{font-weight:600;border-top:2px solid #888}
.status-FAILED,.band-FAILED{background:#fdd}.status-DEGRADED,.band-DEGRADED{background:#ffd}.status-OK,.band-OK{background:#dfd}.status-ABORTED{background:#eee}
.health{border-radius:6px;padding:.6em 1em;margin:.5em 0 1em;border:2px solid #999}
.health .verdict{font-size:1.6em;font-weight:700;margin:.1em 0}.health p{margin:.3em 0}
.health-OK{background:#e3f6e3;border-color:#2a7d2a}.health-DEGRADED{background:#fff6d6;border-color:#b88a00}
.health-FAILED,.health-ABORTED{background:#fde2e2;border-color:#b32020}.health-RUNNING,.health-NONE{background:#eef2f8;border-color:#5a7bb5}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:1em}
figure{margin:0}figcaption{font-weight:600;margin-bottom:.3em}
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:600}
progress{width:8em}
`;

export const DASHBOARD_JS = `'use strict';
(function () {
  var token = sessionStorage.getItem('ordersync-token') || '';
  var charts = [];
  var compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
  function $(id) { return document.getElementById(id); }
  function api(path) {
    var headers = token ? { Authorization: 'Bearer ' + token } : {};
    return fetch(path, { headers: headers, cache: 'no-store' }).then(function (res) {
      if (res.status === 401) { showAuth(); throw new Error('unauthorized'); }
      if (!res.ok) throw new Error('HTTP ' + res.status);
      return res.json();
    });
  }
  function cell(tr, value, cls) {
    var td = document.createElement('td');
    td.textContent = value === null || value === undefined ? '' : String(value);
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }
  function fill(tableId, rows, render) {
    var body = $(tableId).querySelector('tbody');
    body.replaceChildren();
    rows.forEach(function (r) { var tr = document.createElement('tr'); render(tr, r); body.appendChild(tr); });
    if (rows.length === 0) { var tr = document.createElement('tr'); var td = cell(tr, 'none'); td.colSpan = 12; body.appendChild(tr); }
  }
  function showAuth() { $('auth').hidden = false; $('main').hidden = true; }
  function localTimes(root) {
    root.querySelectorAll('time[datetime]').forEach(function (t) {
      var d = new Date(t.getAttribute('datetime'));
      if (!isNaN(d.getTime())) t.textContent = d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    });
  }
  function chart(id, history, series) {
    var el = $(id);
    if (!el || typeof uPlot !== 'function') return;
    var xs = history.map(function (p) { return p.id; });
    var data = [xs].concat(series.map(function (s) { return history.map(s.value); }));
    el.replaceChildren();
    el.dataset.points = String(xs.length);
    charts.push(new uPlot({
      width: Math.max(320, el.clientWidth || 420), height: 200,
      scales: { x: { time: false } },
      axes: [{ label: 'run', values: function (u, vals) { return vals.map(function (v) { return Number.isInteger(v) ? '#' + v : ''; }); } },
        { size: 60, values: function (u, vals) { return vals.map(function (v) { return compact.format(v); }); } }],
      series: [{ label: 'run' }].concat(series.map(function (s) { return { label: s.label, stroke: s.color, width: 2, points: { show: true } }; })),
    }, data, el));
  }
  function drawCharts() {
    charts.forEach(function (c) { c.destroy(); });
    charts = [];
    var node = $('history');
    var history = node ? JSON.parse(node.textContent || '[]') : [];
    chart('chart-records', history, [
      { label: 'OK', color: '#2a7d2a', value: function (p) { return p.ok; } },
      { label: 'failed', color: '#b32020', value: function (p) { return p.failed; } },
      { label: 'cancelled', color: '#777', value: function (p) { return p.cancelled; } }]);
    chart('chart-duration', history, [{ label: 'seconds', color: '#5a7bb5', value: function (p) { return p.duration_s; } }]);
    chart('chart-backlog', history, [
      { label: 'pending orders', color: '#b88a00', value: function (p) { return p.backlog_orders; } },
      { label: 'oldest pending (min)', color: '#7a3fb5', value: function (p) { return p.oldest_pending_minutes; } }]);
    chart('chart-complexity', history, [
      { label: 'used', color: '#5a7bb5', value: function (p) { return p.complexity_used; } },
      { label: 'budget', color: '#bbb', value: function (p) { return p.complexity_budget; } }]);
  }
  function enhance() { localTimes(document); drawCharts(); }
  function load() {
    return api('/api/dashboard').then(function (d) {
      $('auth').hidden = true; $('main').hidden = false;
      $('env').textContent = d.env;
      // The server escaped every value in this markup, as it does for the first page load;
      // parsed in an inert document (no script runs there), then moved into the page.
      var doc = new DOMParser().parseFromString('<div>' + d.html + '</div>', 'text/html');
      $('body').replaceChildren.apply($('body'), Array.prototype.slice.call(doc.body.firstChild.childNodes));
      var at = document.createElement('time'); at.setAttribute('datetime', d.at); at.textContent = d.at;
      $('updated').replaceChildren('as of ', at);
      enhance();
    }).catch(function (err) { if (err.message !== 'unauthorized') $('updated').textContent = 'error: ' + err.message; });
  }
  function lookup(key) {
    return api('/api/order?key=' + encodeURIComponent(key)).then(function (h) {
      var o = h.order;
      $('order-summary').textContent = o
        ? o.order_key + ' — ' + (o.customer || '') + ' ' + (o.customer_season || '') + ': ' + o.sync_state + ' / ' + o.action + (o.monday_item_id ? ', item ' + o.monday_item_id : '') + (o.last_error_code ? ', last error ' + o.last_error_code + ': ' + o.last_error : '')
        : 'no order ' + key;
      fill('order-events', h.events, function (tr, e) {
        cell(tr, e.created_at); cell(tr, '#' + e.run_id); cell(tr, e.size); cell(tr, e.operation); cell(tr, e.outcome); cell(tr, e.error_code); cell(tr, e.column_id); cell(tr, e.value); cell(tr, e.error_message);
      });
      fill('order-api', h.api, function (tr, a) { cell(tr, a.created_at); cell(tr, '#' + a.run_id); cell(tr, a.operation); cell(tr, a.status); cell(tr, a.duration_ms); cell(tr, a.request_id); });
    });
  }
  $('auth').addEventListener('submit', function (ev) {
    ev.preventDefault(); token = $('token').value; sessionStorage.setItem('ordersync-token', token); load();
  });
  $('lookup').addEventListener('submit', function (ev) { ev.preventDefault(); var k = $('order-key').value.trim(); if (k) lookup(k); });
  $('refresh').addEventListener('click', load);
  var initial = new URLSearchParams(location.search).get('order');
  var first = $('body').children.length > 0 ? Promise.resolve(enhance()) : load();
  first.then(function () { if (initial) { $('order-key').value = initial; lookup(initial); } });
  setInterval(load, 30000);
})();
`;
