import { openSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { afterRun, evaluateAlerts } from '../../src/observe/alerts.js';
import type { JobResult } from '../../src/jobs/run.js';
import { orderHistory, prune, statusSnapshot } from '../../src/observe/queries.js';
import { buildReport, reportHtml, reportMarkdown } from '../../src/observe/report.js';
import { finishRun, startRun } from '../../src/queue/runs.js';
import { startOpsServer } from '../../src/serve/server.js';
import { runObserved } from '../../src/jobs/observed.js';
import { opsWorld, XSS_CUSTOMER, type OpsWorld } from './support.js';

let w: OpsWorld;
let result: JobResult;

/** Bad data that fails a few rows the way production data does. */
function messUp(rows: OpsWorld['rows']) {
  const real = rows.filter((r) => r['AAG ORDER NUMBER']);
  for (const r of real.slice(0, 5)) r['CUSTOMER NAME'] = XSS_CUSTOMER;
  for (const r of real.slice(10, 13)) r['ORDER TYPE'] = 'WEIRD TYPE'; // label creation is off for ORDER TYPE
  for (const r of real.slice(30, 32)) r['EX FACTORY DATE'] = 'not a date';
}

beforeAll(async () => {
  w = await opsWorld({ orders: 60, edit: messUp });
  ({ result } = await runObserved(w.db, w.cfg, { command: 'run', envVars: w.envVars }, { logFormat: 'json', stream: devNull() }));
});
afterAll(async () => {
  await w?.close();
});

function devNull() {
  // pino writes to a file descriptor: /dev/null keeps test output clean.
  return { fd: openNull(), write: () => true } as unknown as NodeJS.WritableStream;
}
const openNull = () => openSync('/dev/null', 'w');

const count = async (table: 'orders' | 'order_lines', where?: (q: any) => any) => {
  let q: any = w.db.kysely.selectFrom(table).select(w.db.kysely.fn.countAll().as('n'));
  if (where) q = where(q);
  return Number((await q.executeTakeFirst()).n);
};

describe('report', () => {
  it('reconciles with the tables and the run record, per customer and in total', async () => {
    expect(result.status).toBe('DEGRADED');
    const r = await buildReport(w.db, w.cfg.settings.alerts, { env: w.cfg.envName });
    expect(r.run?.id).toBe(result.runId);
    expect(r.totals.orders).toBe(await count('orders'));
    expect(r.totals.synced).toBe(await count('orders', (q) => q.where('sync_state', '=', 'SYNCED').where('is_cancelled', '=', 0)));
    expect(r.totals.error).toBe(await count('orders', (q) => q.where('sync_state', '=', 'ERROR').where('is_cancelled', '=', 0)));
    expect(r.totals.cancelled).toBe(await count('orders', (q) => q.where('is_cancelled', '=', 1)));
    const units = await w.db.kysely.selectFrom('orders').select(w.db.kysely.fn.sum('total_qty').as('u')).where('sync_state', '=', 'SYNCED').where('is_cancelled', '=', 0).executeTakeFirst();
    expect(r.totals.unitsSynced).toBe(Number(units?.u));
    // every order lands in exactly one bucket
    for (const x of r.rows) expect(x.synced + x.pending + x.inFlight + x.error + x.skipped + x.cancelled).toBe(x.orders);
    // activity equals the run's own counters, and the verdict's records
    const c = result.sync!.counts;
    expect(r.totals.created).toBe(c.items_created);
    expect(r.totals.updated).toBe(c.items_updated);
    expect(r.totals.failedRecords).toBe(c.items_failed + c.subitems_failed);
    expect(r.totals.okRecords).toBe(result.verdict.succeeded);
    expect(r.totals.successRate).toBeCloseTo(result.verdict.successRate!, 10);
    // per customer: sums over seasons equal the table's count for that customer
    const customers = [...new Set(r.rows.map((x) => x.customer))];
    expect(customers).toContain(XSS_CUSTOMER);
    for (const cust of customers) {
      const n = await count('orders', (q) => q.where('customer', '=', cust));
      expect(r.rows.filter((x) => x.customer === cust).reduce((s, x) => s + x.orders, 0)).toBe(n);
      const one = await buildReport(w.db, w.cfg.settings.alerts, { env: w.cfg.envName, customer: cust });
      expect(one.totals.orders).toBe(n);
    }
    // failures carry monday's code, the column and the value, and advice
    const errs = r.rows.flatMap((x) => x.errors);
    expect(errs).toContainEqual(expect.objectContaining({ code: 'MissingLabel', column: 'dropdown_mkr518fc', value: 'WEIRD TYPE' }));
    expect(errs).toContainEqual(expect.objectContaining({ code: 'FormatError', column: 'date_mkr57811', value: 'not a date' }));
    expect(r.advice.find((a) => a.code === 'MissingLabel')?.action).toMatch(/create_labels/);
    expect(reportMarkdown(r)).toMatch(/## What to do/);
  });

  it('HTML escapes every value', async () => {
    const r = await buildReport(w.db, w.cfg.settings.alerts, { env: w.cfg.envName });
    const html = reportHtml(r);
    expect(html).not.toContain('<img');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    // Markdown keeps markup text with a backslash escape, never an HTML entity.
    expect(reportMarkdown(r)).not.toMatch(/(?<!\\)<img/);
    expect(reportMarkdown(r)).toContain('\\<img src=x onerror=alert(1)>');
  });
});

describe('status and history', () => {
  it('status counts every row and groups errors by code with an example', async () => {
    const s = await statusSnapshot(w.db, w.cfg.envName);
    expect(s.rows.filter((x) => x.table === 'orders').reduce((a, x) => a + x.count, 0)).toBe(await count('orders'));
    expect(s.rows.filter((x) => x.table === 'order_lines').reduce((a, x) => a + x.count, 0)).toBe(await count('order_lines'));
    const missing = s.errors.find((e) => e.code === 'MissingLabel')!;
    expect(missing.orders).toBe(await count('orders', (q) => q.where('sync_state', '=', 'ERROR').where('last_error_code', '=', 'MissingLabel')));
    expect(missing.exampleMessage).toMatch(/WEIRD TYPE/);
    expect(missing.column).toBe('dropdown_mkr518fc');
    expect(s.runs[0]!.id).toBe(result.runId);
    expect(s.backlog.pendingOrders).toBe(await count('orders', (q) => q.where('sync_state', '=', 'PENDING')));
  });

  it("shows an order's events and the API exchanges that touched it", async () => {
    const synced = await w.db.kysely.selectFrom('orders').select('order_key').where('sync_state', '=', 'SYNCED').limit(1).executeTakeFirstOrThrow();
    const h = await orderHistory(w.db, synced.order_key);
    expect(h.order?.sync_state).toBe('SYNCED');
    expect(h.events.some((e) => e.operation === 'create_item' && e.outcome === 'OK')).toBe(true);
    expect(h.api.length).toBeGreaterThan(0);
    expect(h.api.every((a) => a.run_id === result.runId)).toBe(true);
    const failed = await w.db.kysely.selectFrom('orders').select('order_key').where('last_error_code', '=', 'FormatError').limit(1).executeTakeFirstOrThrow();
    const f = await orderHistory(w.db, failed.order_key);
    expect(f.events).toContainEqual(expect.objectContaining({ outcome: 'ERROR', error_code: 'FormatError', value: 'not a date' }));
  });
});

describe('alerts', () => {
  it('evaluates the thresholds and posts a Slack-compatible webhook to a local server', async () => {
    const received: Array<{ headers: IncomingMessage['headers']; body: any }> = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(body) });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    try {
      // a pending row waiting 5 hours and a row in flight for 2 hours
      const old = new Date(Date.now() - 5 * 3600_000).toISOString();
      const [a, b] = await w.db.kysely.selectFrom('orders').select(['id', 'sync_state', 'pending_since', 'in_flight_since']).where('sync_state', '=', 'SYNCED').limit(2).execute();
      await w.db.kysely.updateTable('orders').set({ sync_state: 'PENDING', pending_since: old }).where('id', '=', a!.id).execute();
      await w.db.kysely.updateTable('orders').set({ sync_state: 'IN_FLIGHT', in_flight_since: new Date(Date.now() - 2 * 3600_000).toISOString() }).where('id', '=', b!.id).execute();
      const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
      const e = await afterRun(w.db, w.cfg, result, { envVars: { ...w.envVars, ORDERSYNC_ALERT_WEBHOOK: url } });
      expect(e.alerts.map((x) => x.kind).sort()).toEqual(['failed_records', 'pending_age', 'stuck_in_flight']);
      expect(e.exitCode).toBe(2);
      expect(e.webhook.sent).toBe(true);
      expect(received).toHaveLength(1);
      expect(received[0]!.headers['content-type']).toMatch(/application\/json/);
      expect(received[0]!.body.text).toMatch(/pending_age/);
      expect(received[0]!.body.blocks[0].type).toBe('header');
      expect(received[0]!.body.blocks.some((bl: any) => /stuck_in_flight/.test(bl.text?.text ?? ''))).toBe(true);
      // restore
      await w.db.kysely.updateTable('orders').set({ sync_state: 'SYNCED', pending_since: a!.pending_since, in_flight_since: null }).where('id', 'in', [a!.id, b!.id]).execute();

      // consecutive failed runs (real run records) → critical, exit 1; no webhook without the variable
      for (let i = 0; i < 3; i++) {
        const id = await startRun(w.db, w.cfg.envName, 'run');
        await finishRun(w.db, id, 'FAILED', { counts: {} }, 'failed: test', 'connection refused');
      }
      const f = await evaluateAlerts(w.db, w.cfg, null);
      expect(f.alerts).toContainEqual(expect.objectContaining({ kind: 'consecutive_failed_runs', severity: 'critical' }));
      expect(f.exitCode).toBe(1);
      const quiet = await afterRun(w.db, w.cfg, null, { envVars: {}, thrown: 1 });
      expect(quiet.webhook.sent).toBe(false);
      expect(received).toHaveLength(1);
    } finally {
      hook.close();
    }
  });

  it('a run stopped by the daily limit is a budget-exhaustion alert', async () => {
    const stopped: JobResult = { ...result, status: 'FAILED', sync: { ...result.sync!, stopped: { code: 'DAILY_LIMIT_EXCEEDED', message: 'daily limit', resumeAfter: '2030-01-01T00:00:00Z' } } };
    const e = await evaluateAlerts(w.db, w.cfg, stopped);
    expect(e.alerts).toContainEqual(expect.objectContaining({ kind: 'budget_exhausted', severity: 'critical' }));
    expect(e.exitCode).toBe(1);
  });
});

function parseProm(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m) throw new Error(`unparseable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

describe('server', () => {
  it('/metrics parses and matches the database; /healthz and /readyz answer', async () => {
    const srv = await startOpsServer(w.db, w.cfg, { host: '127.0.0.1', port: 0 });
    try {
      expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${srv.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ready: true, migrations: 'current' });
      const res = await fetch(`${srv.url}/metrics`);
      expect(res.headers.get('content-type')).toMatch(/text\/plain/);
      const m = parseProm(await res.text());
      const sum = (name: string, f: (l: Record<string, string>) => boolean = () => true) => m.filter((x) => x.name === name && f(x.labels)).reduce((s, x) => s + x.value, 0);
      expect(sum('ordersync_rows', (l) => l.table === 'orders')).toBe(await count('orders'));
      expect(sum('ordersync_backlog_rows', (l) => l.table === 'orders')).toBe(await count('orders', (q) => q.where('sync_state', '=', 'PENDING')));
      expect(sum('ordersync_error_rows')).toBe((await count('orders', (q) => q.where('sync_state', '=', 'ERROR'))) + (await count('order_lines', (q) => q.where('sync_state', '=', 'ERROR'))));
      const runs = await w.db.kysely.selectFrom('sync_runs').selectAll().orderBy('id', 'desc').execute();
      expect(sum('ordersync_api_requests_total')).toBe(runs.reduce((s, r) => s + Number(r.requests), 0));
      expect(sum('ordersync_complexity_used_total')).toBe(runs.reduce((s, r) => s + Number(r.complexity_used), 0));
      expect(m.find((x) => x.name === 'ordersync_last_run_status' && x.value === 1)?.labels.status).toBe(runs[0]!.status);
      expect(sum('ordersync_run_duration_seconds_count')).toBe(runs.filter((r) => r.finished_at).length);
      expect(sum('ordersync_runs', (l) => l.status === 'DEGRADED')).toBe(runs.filter((r) => r.status === 'DEGRADED').length);
      expect(m.every((x) => x.labels.env === 'dev')).toBe(true);
      // a second scrape observes no run twice
      const again = parseProm(await (await fetch(`${srv.url}/metrics`)).text());
      expect(again.find((x) => x.name === 'ordersync_run_duration_seconds_count')?.value).toBe(runs.filter((r) => r.finished_at).length);
    } finally {
      await srv.close();
    }
  });

  it('refuses a non-loopback bind without a token, and checks the bearer token when bound beyond loopback', async () => {
    await expect(startOpsServer(w.db, w.cfg, { host: '0.0.0.0', port: 0, envVars: {} })).rejects.toThrow(ConfigError);
    const srv = await startOpsServer(w.db, w.cfg, { host: '0.0.0.0', port: 0, token: 's3cret-token' });
    const base = srv.url.replace('0.0.0.0', '127.0.0.1');
    try {
      expect(srv.requiresToken).toBe(true);
      expect((await fetch(`${base}/api/overview`)).status).toBe(401);
      expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong-token!' } })).status).toBe(401);
      expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer s3cret-token' } })).status).toBe(200);
      const ov = await fetch(`${base}/api/overview`, { headers: { authorization: 'Bearer s3cret-token' } });
      expect(ov.status).toBe(200);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    } finally {
      await srv.close();
    }
  });
});

describe('prune', () => {
  it('deletes old API log rows and events, never the latest run, the journal of an undoable run only when forced', async () => {
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    await w.db.kysely.updateTable('api_log').set({ created_at: old }).execute();
    await w.db.kysely.updateTable('sync_events').set({ created_at: old }).execute();
    // a later run whose (old-dated) rows must survive as the latest run's
    const latest = await startRun(w.db, w.cfg.envName, 'sync');
    await w.db.kysely.insertInto('api_log').values({ run_id: latest, created_at: old, operation: 'Probe' }).execute();
    await w.db.kysely.insertInto('sync_events').values({ run_id: latest, order_key: 'X', operation: 'create_item', outcome: 'OK', created_at: old }).execute();
    await finishRun(w.db, latest, 'OK', { counts: {} });
    const apiBefore = Number((await w.db.kysely.selectFrom('api_log').select(w.db.kysely.fn.countAll().as('n')).executeTakeFirst())!.n);
    const evBefore = Number((await w.db.kysely.selectFrom('sync_events').select(w.db.kysely.fn.countAll().as('n')).executeTakeFirst())!.n);
    // The beforeAll run wrote to the board and was not rolled back: its journal stays unless forced.
    const undoable = Number((await w.db.kysely.selectFrom('sync_events').select(w.db.kysely.fn.countAll().as('n')).where('run_id', '=', result.runId).executeTakeFirst())!.n);
    const kept = await prune(w.db, 30);
    expect(kept.keptForRollback).toContainEqual({ runId: result.runId, events: undoable });
    expect(kept.events).toBe(evBefore - 1 - kept.keptForRollback.reduce((s, k) => s + k.events, 0));
    const r = await prune(w.db, 30, { force: true });
    expect(r.keptRunId).toBe(latest);
    expect(r.apiLog).toBe(0);
    expect(kept.apiLog).toBe(apiBefore - 1);
    expect(r.events).toBe(kept.keptForRollback.reduce((s, k) => s + k.events, 0));
    expect(await w.db.kysely.selectFrom('api_log').select('run_id').execute()).toEqual([{ run_id: latest }]);
    expect(await prune(w.db, 30)).toMatchObject({ apiLog: 0, events: 0 });
  });
});
