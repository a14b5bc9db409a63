import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { RUN_STATUSES, type Db } from '../db/index.js';
import { DRIFT_KINDS } from '../sync/index.js';
import { backlog, errorsByCode, lastRuns, rowsByState } from './queries.js';

/**
 * Prometheus metrics read from the database at each scrape (the database is the truth:
 * runs made by cron, by `serve --schedule` or by hand all count). Own Registry, so
 * nothing global leaks between servers or tests. docs/operations.md lists each metric.
 */
export interface OpsMetrics {
  registry: Registry;
  /** Refreshes every gauge from the database and returns the exposition text. */
  scrape(): Promise<string>;
}

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

export function createMetrics(db: Db, env: string): OpsMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ env });
  const g = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });
  const c = (name: string, help: string) => new Counter({ name, help, registers: [registry] });

  const rows = g('ordersync_rows', 'Rows by table, sync state and action (orders = items, order_lines = subitems).', ['table', 'state', 'action']);
  const backlogRows = g('ordersync_backlog_rows', 'Rows waiting to be synced (sync_state PENDING).', ['table']);
  const oldestPending = g('ordersync_oldest_pending_age_seconds', 'Age of the oldest pending row (0 when nothing is pending).');
  const inFlight = g('ordersync_in_flight_rows', 'Rows marked IN_FLIGHT (sent, outcome not yet written).', ['table']);
  const oldestInFlight = g('ordersync_oldest_in_flight_age_seconds', 'How long the oldest in-flight row has been in flight (0 when none).');
  const errorRows = g('ordersync_error_rows', 'Rows parked in ERROR, by error code (orders and lines).', ['code']);
  const runs = g('ordersync_runs', 'Run records of this environment, by status.', ['status']);
  const lastStatus = g('ordersync_last_run_status', '1 for the status of the latest finished run, 0 for the others.', ['status']);
  const lastTs = g('ordersync_last_run_timestamp_seconds', 'When the latest finished run ended (Unix time).');
  const lastDuration = g('ordersync_last_run_duration_seconds', 'Duration of the latest finished run.');
  const lastRequests = g('ordersync_last_run_requests', 'HTTP requests to monday in the latest finished run (retries included).');
  const lastMutations = g('ordersync_last_run_mutations', 'Mutations sent in the latest finished run.');
  const lastComplexity = g('ordersync_last_run_complexity_used', 'Complexity points used by the latest finished run.');
  const lastRetries = g('ordersync_last_run_retries', 'Requests resent in the latest finished run.');
  const lastWaits = g('ordersync_last_run_rate_limit_waits', 'Times the latest finished run waited for monday\'s rate limits.');
  const lastOps = g('ordersync_last_run_operations', 'Operations of the latest finished run by operation and outcome (from the journal).', ['operation', 'outcome']);
  const requests = c('ordersync_api_requests_total', 'HTTP requests to monday, summed over the run records.');
  const mutations = c('ordersync_mutations_total', 'Mutations sent to monday, summed over the run records.');
  const complexity = c('ordersync_complexity_used_total', 'Complexity points used, summed over the run records.');
  const retries = c('ordersync_retries_total', 'Requests resent, summed over the run records.');
  const waits = c('ordersync_rate_limit_waits_total', 'Waits for monday\'s rate limits, summed over the run records.');
  const duration = new Histogram({
    name: 'ordersync_run_duration_seconds',
    help: 'Duration of finished runs (each run observed once, from the run records seen since this process started; the last 100 at start).',
    buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
    registers: [registry],
  });
  const drift = g('ordersync_drift_findings', 'Board drift found by the latest board check (the post-run proof, or `verify --fix`), by kind (docs/operations.md#drift-the-board-changed-by-hand).', ['kind']);
  const dbUp = g('ordersync_db_up', '1 when the last scrape could read the database.');
  const seen = new Set<number>();

  async function refresh(): Promise<void> {
    rows.reset();
    for (const r of await rowsByState(db)) rows.set({ table: r.table, state: r.sync_state, action: r.action }, r.count);
    const b = await backlog(db);
    backlogRows.set({ table: 'orders' }, b.pendingOrders);
    backlogRows.set({ table: 'order_lines' }, b.pendingLines);
    oldestPending.set(Math.round((b.oldestPendingMinutes ?? 0) * 60));
    inFlight.set({ table: 'orders' }, b.inFlightOrders);
    inFlight.set({ table: 'order_lines' }, b.inFlightLines);
    oldestInFlight.set(Math.round((b.oldestInFlightMinutes ?? 0) * 60));
    errorRows.reset();
    for (const e of await errorsByCode(db)) errorRows.set({ code: e.code }, e.orders + e.lines);

    const byStatus = await db.kysely.selectFrom('sync_runs').select(['status', db.kysely.fn.countAll().as('n')]).where('env', '=', env).groupBy('status').execute();
    for (const s of RUN_STATUSES) runs.set({ status: s }, num(byStatus.find((x) => x.status === s)?.n));

    const sums = await db.kysely
      .selectFrom('sync_runs')
      .select((eb) => [
        eb.fn.sum<number>('requests').as('requests'),
        eb.fn.sum<number>('mutations').as('mutations'),
        eb.fn.sum<number>('complexity_used').as('complexity'),
        eb.fn.sum<number>('retries').as('retries'),
        eb.fn.sum<number>('rate_limit_waits').as('waits'),
      ])
      .where('env', '=', env)
      .executeTakeFirst();
    const setCounter = (ctr: Counter, v: unknown) => {
      ctr.reset();
      ctr.inc(num(v));
    };
    setCounter(requests, sums?.requests);
    setCounter(mutations, sums?.mutations);
    setCounter(complexity, sums?.complexity);
    setCounter(retries, sums?.retries);
    setCounter(waits, sums?.waits);

    const recent = (await lastRuns(db, { env, limit: 100 })).filter((r) => r.finished_at !== null);
    for (const r of [...recent].reverse()) {
      if (seen.has(r.id) || r.duration_s === null) continue;
      seen.add(r.id);
      duration.observe(r.duration_s);
    }
    const checked = recent.find((r) => typeof r.counts.verify === 'object' && r.counts.verify !== null);
    drift.reset();
    const driftCounts = (checked?.counts.verify as { counts?: Record<string, number> } | undefined)?.counts ?? {};
    for (const kind of DRIFT_KINDS) drift.set({ kind }, num(driftCounts[kind]));
    const last = recent[0];
    lastStatus.reset();
    lastOps.reset();
    if (last) {
      for (const s of RUN_STATUSES) lastStatus.set({ status: s }, s === last.status ? 1 : 0);
      lastTs.set(Date.parse(last.finished_at!) / 1000);
      lastDuration.set(last.duration_s ?? 0);
      lastRequests.set(last.requests);
      lastMutations.set(last.mutations);
      lastComplexity.set(last.complexity_used);
      lastRetries.set(last.retries);
      lastWaits.set(last.rate_limit_waits);
      const ops = await db.kysely
        .selectFrom('sync_events')
        .select(['operation', 'outcome', db.kysely.fn.countAll().as('n')])
        .where('run_id', '=', last.id)
        .groupBy(['operation', 'outcome'])
        .execute();
      for (const o of ops) lastOps.set({ operation: o.operation, outcome: o.outcome }, num(o.n));
    }
  }

  return {
    registry,
    async scrape() {
      try {
        await refresh();
        dbUp.set(1);
      } catch {
        dbUp.set(0);
      }
      return registry.metrics();
    },
  };
}
