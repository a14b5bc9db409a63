import { sql, type Kysely, type Selectable } from 'kysely';
import type { Db, Database, LineAction, OrderAction, RunStatus, SyncRunsTable, SyncState } from '../db/index.js';
import { pruneJournal } from '../queue/journal.js';
import { runLockLive } from '../queue/index.js';

/** Figures read back from the database for `status`, the report, the dashboard and /metrics. */

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

export function minutesSince(iso: string | null | undefined, now = new Date()): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : Math.max(0, (now.getTime() - t) / 60_000);
}

export interface StateCount {
  table: 'orders' | 'order_lines';
  sync_state: SyncState;
  action: OrderAction | LineAction;
  count: number;
}

export async function rowsByState(db: Db): Promise<StateCount[]> {
  const orders = await db.kysely
    .selectFrom('orders')
    .select(['sync_state', 'action', db.kysely.fn.countAll().as('n')])
    .groupBy(['sync_state', 'action'])
    .execute();
  const lines = await db.kysely
    .selectFrom('order_lines')
    .select(['sync_state', 'action', db.kysely.fn.countAll().as('n')])
    .groupBy(['sync_state', 'action'])
    .execute();
  const sort = (a: StateCount, b: StateCount) => a.table.localeCompare(b.table) || a.sync_state.localeCompare(b.sync_state) || a.action.localeCompare(b.action);
  return [
    ...orders.map((r) => ({ table: 'orders' as const, sync_state: r.sync_state, action: r.action, count: num(r.n) })),
    ...lines.map((r) => ({ table: 'order_lines' as const, sync_state: r.sync_state, action: r.action, count: num(r.n) })),
  ].sort(sort);
}

export interface Backlog {
  pendingOrders: number;
  pendingLines: number;
  oldestPendingSince: string | null;
  oldestPendingMinutes: number | null;
  oldestPendingKey: string | null;
  inFlightOrders: number;
  inFlightLines: number;
  oldestInFlightSince: string | null;
  oldestInFlightMinutes: number | null;
  inFlightKeys: string[];
}

export async function backlog(db: Db, now = new Date()): Promise<Backlog> {
  const k = db.kysely;
  const pendingOrders = num((await k.selectFrom('orders').select(k.fn.countAll().as('n')).where('sync_state', '=', 'PENDING').executeTakeFirst())?.n);
  const pendingLines = num((await k.selectFrom('order_lines').select(k.fn.countAll().as('n')).where('sync_state', '=', 'PENDING').executeTakeFirst())?.n);
  // Lines carry no pending_since: a pending line's age is its order's.
  const oldest = await k
    .selectFrom('orders')
    .select(['order_key', 'pending_since'])
    .where('pending_since', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('sync_state', '=', 'PENDING'),
        eb('id', 'in', eb.selectFrom('order_lines').select('order_id').where('sync_state', '=', 'PENDING')),
      ]),
    )
    .orderBy('pending_since')
    .limit(1)
    .executeTakeFirst();
  const inFlightOrders = await k.selectFrom('orders').select(['order_key', 'in_flight_since']).where('sync_state', '=', 'IN_FLIGHT').orderBy('in_flight_since').execute();
  const inFlightLines = await k
    .selectFrom('order_lines')
    .innerJoin('orders', 'orders.id', 'order_lines.order_id')
    .select(['orders.order_key', 'order_lines.size', 'order_lines.in_flight_since'])
    .where('order_lines.sync_state', '=', 'IN_FLIGHT')
    .orderBy('order_lines.in_flight_since')
    .execute();
  const since = [...inFlightOrders.map((r) => r.in_flight_since), ...inFlightLines.map((r) => r.in_flight_since)].filter((s): s is string => s !== null).sort();
  return {
    pendingOrders,
    pendingLines,
    oldestPendingSince: oldest?.pending_since ?? null,
    oldestPendingMinutes: minutesSince(oldest?.pending_since, now),
    oldestPendingKey: oldest?.order_key ?? null,
    inFlightOrders: inFlightOrders.length,
    inFlightLines: inFlightLines.length,
    oldestInFlightSince: since[0] ?? null,
    oldestInFlightMinutes: minutesSince(since[0], now),
    inFlightKeys: [...new Set([...inFlightOrders.map((r) => r.order_key), ...inFlightLines.map((r) => `${r.order_key} / ${r.size}`)])].slice(0, 20),
  };
}

export interface ErrorGroup {
  code: string;
  /** Rows (orders, or lines for subitem errors) parked in ERROR with this code. */
  orders: number;
  lines: number;
  exampleKey: string;
  exampleMessage: string;
  column: string | null;
  value: string | null;
}

/** Rows in ERROR by monday's (or ordersync's) error code, each with one example. */
export async function errorsByCode(db: Db, opts: { customer?: string } = {}): Promise<ErrorGroup[]> {
  const k = db.kysely;
  let oq = k.selectFrom('orders').select(['order_key', 'last_error_code', 'last_error', 'last_error_column', 'last_error_value']).where('sync_state', '=', 'ERROR');
  if (opts.customer !== undefined) oq = oq.where('customer', '=', opts.customer);
  let lq = k
    .selectFrom('order_lines')
    .innerJoin('orders', 'orders.id', 'order_lines.order_id')
    .select(['orders.order_key', 'order_lines.size', 'order_lines.last_error_code', 'order_lines.last_error'])
    .where('order_lines.sync_state', '=', 'ERROR');
  if (opts.customer !== undefined) lq = lq.where('orders.customer', '=', opts.customer);
  const groups = new Map<string, ErrorGroup>();
  const get = (code: string, key: string, message: string) => {
    let g = groups.get(code);
    if (!g) groups.set(code, (g = { code, orders: 0, lines: 0, exampleKey: key, exampleMessage: message, column: null, value: null }));
    return g;
  };
  for (const r of await oq.orderBy('order_key').execute()) {
    const g = get(r.last_error_code ?? 'unknown', r.order_key, r.last_error ?? '');
    g.orders++;
    if (g.exampleKey === r.order_key) {
      g.column = r.last_error_column;
      g.value = r.last_error_value;
    }
  }
  for (const r of await lq.orderBy('orders.order_key').execute()) {
    get(r.last_error_code ?? 'unknown', `${r.order_key} / ${r.size}`, r.last_error ?? '').lines++;
  }
  // The column and value monday named are on the failure's journal event.
  for (const g of groups.values()) {
    if (g.column !== null) continue;
    const [key, size] = g.exampleKey.split(' / ');
    let q = k.selectFrom('sync_events').select(['column_id', 'value']).where('order_key', '=', key!).where('outcome', '=', 'ERROR');
    q = size === undefined ? q.where('size', 'is', null) : q.where('size', '=', size);
    const ev = await q.orderBy('id', 'desc').limit(1).executeTakeFirst();
    g.column = ev?.column_id ?? null;
    g.value = ev?.value ?? null;
  }
  return [...groups.values()].sort((a, b) => b.orders + b.lines - (a.orders + a.lines) || a.code.localeCompare(b.code));
}

export interface RunRow {
  id: number;
  env: string;
  command: string;
  status: RunStatus;
  started_at: string;
  finished_at: string | null;
  duration_s: number | null;
  verdict: string | null;
  requests: number;
  mutations: number;
  complexity_used: number;
  rate_limit_waits: number;
  retries: number;
  error: string | null;
  counts: Record<string, unknown>;
  /** RUNNING on record, but no live process holds the environment's run lock: killed (SIGKILL, OOM, host lost); the next job closes it. */
  process_gone?: true;
}

/** The newest board check among runs (a run's post-run proof or a `verify`): findings per kind, and the planner edits a fix overwrote. */
export interface BoardCheckSummary {
  run: number;
  counts: Record<string, number>;
  findings: number;
  overwritten: number;
}

/** `runs` newest first, as lastRuns returns them. */
export function latestBoardCheck(runs: RunRow[]): BoardCheckSummary | null {
  const r = runs.find((x) => typeof x.counts.verify === 'object' && x.counts.verify !== null);
  if (!r) return null;
  const counts = ((r.counts.verify as { counts?: Record<string, number> }).counts ?? {}) as Record<string, number>;
  const overwritten = Array.isArray(r.counts.overwritten) ? r.counts.overwritten.length : 0;
  return { run: r.id, counts, findings: Object.values(counts).reduce((a, b) => a + b, 0), overwritten };
}

export async function lastRuns(db: Db, opts: { env?: string; limit?: number; since?: string } = {}): Promise<RunRow[]> {
  let q = db.kysely.selectFrom('sync_runs').selectAll();
  if (opts.env) q = q.where('env', '=', opts.env);
  if (opts.since) q = q.where('started_at', '>=', opts.since);
  const rows = await q.orderBy('id', 'desc').limit(opts.limit ?? 10).execute();
  return rows.map(runRow);
}

export async function runById(db: Db, id: number): Promise<RunRow | undefined> {
  const r = await db.kysely.selectFrom('sync_runs').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? runRow(r) : undefined;
}

function runRow(r: Selectable<SyncRunsTable>): RunRow {
  let counts: Record<string, unknown> = {};
  try {
    counts = JSON.parse(r.counts_json) as Record<string, unknown>;
  } catch {
    /* an unreadable record still lists */
  }
  const dur = r.finished_at ? (Date.parse(r.finished_at) - Date.parse(r.started_at)) / 1000 : null;
  return {
    id: num(r.id),
    env: r.env,
    command: r.command,
    status: r.status,
    started_at: r.started_at,
    finished_at: r.finished_at,
    duration_s: dur,
    verdict: r.verdict,
    requests: num(r.requests),
    mutations: num(r.mutations),
    complexity_used: num(r.complexity_used),
    rate_limit_waits: num(r.rate_limit_waits),
    retries: num(r.retries),
    error: r.error,
    counts,
  };
}

export interface StatusSnapshot {
  env: string;
  at: string;
  rows: StateCount[];
  backlog: Backlog;
  errors: ErrorGroup[];
  runs: RunRow[];
  boardCheck: BoardCheckSummary | null;
}

export async function statusSnapshot(db: Db, env: string, now = new Date(), opts: { runs?: number } = {}): Promise<StatusSnapshot> {
  const runs = await lastRuns(db, { env, limit: opts.runs ?? 10 });
  // Every job holds the lock for its record's whole life, so a RUNNING record without a live holder belongs to a dead process.
  const live = runs.some((r) => r.status === 'RUNNING') ? await runLockLive(db, env) : true;
  return {
    env,
    at: now.toISOString(),
    rows: await rowsByState(db),
    backlog: await backlog(db, now),
    errors: await errorsByCode(db),
    runs: live ? runs : runs.map((r) => (r.status === 'RUNNING' ? { ...r, process_gone: true as const } : r)),
    boardCheck: latestBoardCheck(await lastRuns(db, { env, limit: 200 })),
  };
}

export interface OrderHistory {
  order: Record<string, unknown> | null;
  lines: Array<Record<string, unknown>>;
  events: Array<Record<string, unknown>>;
  api: Array<Record<string, unknown>>;
}

/** One order across runs: its row, its lines, every journal event and every API exchange that touched it. */
export async function orderHistory(db: Db, key: string, opts: { withBodies?: boolean } = {}): Promise<OrderHistory> {
  const k = db.kysely;
  const order = await k
    .selectFrom('orders')
    .select([
      'id',
      'order_key',
      'customer',
      'customer_season',
      'group_name',
      'item_name',
      'total_qty',
      'is_cancelled',
      'action',
      'sync_state',
      'monday_item_id',
      'retry_count',
      'last_error_code',
      'last_error',
      'pending_since',
      'in_flight_since',
      'synced_at',
      'last_run_id',
    ])
    .where('order_key', '=', key)
    .executeTakeFirst();
  const lines = order
    ? await k
        .selectFrom('order_lines')
        .select(['size', 'qty', 'synced_qty', 'action', 'sync_state', 'monday_subitem_id', 'last_error_code', 'last_error', 'synced_at'])
        .where('order_id', '=', order.id)
        .orderBy('size_position')
        .execute()
    : [];
  const events = await k
    .selectFrom('sync_events')
    .select(['id', 'run_id', 'created_at', 'size', 'operation', 'outcome', 'monday_id', 'error_code', 'error_message', 'column_id', 'value', 'before_json', 'after_json'])
    .where('order_key', '=', key)
    .orderBy('id')
    .execute();
  // order_keys is a JSON array; the LIKE narrows, the parse decides (a key may be a prefix of another).
  const needle = `%${JSON.stringify(key).slice(1, -1).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const api = await k
    .selectFrom('api_log')
    .select(['id', 'run_id', 'created_at', 'request_id', 'idempotency_key', 'operation', 'status', 'duration_ms', 'order_keys', 'request', 'response'])
    .where(sql<boolean>`order_keys like ${needle} escape '\\'`)
    .orderBy('id')
    .execute();
  const touching = api.filter((a) => {
    try {
      return (JSON.parse(a.order_keys ?? '[]') as string[]).includes(key);
    } catch {
      return false;
    }
  });
  return {
    order: order ? { ...order, id: num(order.id) } : null,
    lines,
    events: events.map((e) => ({ ...e, id: num(e.id), run_id: num(e.run_id) })),
    api: touching.map(({ order_keys: _keys, request, response, ...rest }) => ({
      ...rest,
      id: num(rest.id),
      ...(opts.withBodies ? { request, response } : {}),
    })),
  };
}

export interface PruneResult {
  cutoff: string;
  dryRun: boolean;
  keptRunId: number | null;
  /** Rows deleted (or, on a dry run, that would be). */
  apiLog: number;
  events: number;
  /** Runs that can still be rolled back whose old journal events were kept (none under force). */
  keptForRollback: Array<{ runId: number; events: number }>;
  /** Runs that could still be rolled back whose journal was deleted anyway (force). */
  forced: Array<{ runId: number; events: number }>;
}

/** Rollback reads a run's journal: a run is undoable while it has written something and no finished rollback undid it. */
const ROLLBACK_DONE: RunStatus[] = ['OK', 'DEGRADED'];

async function rollbackable(k: Kysely<Database>, runIds: number[]): Promise<Set<number>> {
  if (runIds.length === 0) return new Set();
  const runs = await k.selectFrom('sync_runs').select(['id', 'command', 'status']).where('id', 'in', runIds).execute();
  const written = new Set(
    (await k.selectFrom('sync_events').select('run_id').distinct().where('run_id', 'in', runIds).where('outcome', 'in', ['OK', 'ADOPTED']).execute()).map((r) => num(r.run_id)),
  );
  const undone = new Set(
    (await k.selectFrom('sync_runs').select('parent_run_id').where('command', '=', 'rollback').where('status', 'in', ROLLBACK_DONE).where('parent_run_id', 'in', runIds).execute()).map((r) => num(r.parent_run_id)),
  );
  return new Set(runs.filter((r) => r.command !== 'rollback' && r.status !== 'RUNNING' && written.has(num(r.id)) && !undone.has(num(r.id))).map((r) => num(r.id)));
}

/**
 * Deletes API log rows and journal events older than the cutoff, never those of the latest
 * run, and never the journal of a run that can still be rolled back unless `force`.
 */
export async function prune(db: Db, olderThanDays: number, opts: { dryRun?: boolean; force?: boolean; now?: Date } = {}): Promise<PruneResult> {
  const now = opts.now ?? new Date();
  const cutoff = new Date(now.getTime() - olderThanDays * 86_400_000).toISOString();
  const latest = await db.kysely.selectFrom('sync_runs').select('id').orderBy('id', 'desc').limit(1).executeTakeFirst();
  const keep = latest ? num(latest.id) : null;
  return db.kysely.transaction().execute(async (trx) => {
    const perRun = await trx
      .selectFrom('sync_events')
      .select(['run_id', trx.fn.countAll().as('n')])
      .where('created_at', '<', cutoff)
      .$if(keep !== null, (q) => q.where('run_id', '!=', keep!))
      .groupBy('run_id')
      .execute();
    const undoable = await rollbackable(trx, perRun.map((r) => num(r.run_id)));
    const guarded = perRun.filter((r) => undoable.has(num(r.run_id))).map((r) => ({ runId: num(r.run_id), events: num(r.n) }));
    const spared = opts.force ? [] : guarded.map((g) => g.runId);
    const events = perRun.filter((r) => !spared.includes(num(r.run_id))).reduce((sum, r) => sum + num(r.n), 0);
    const apiOld = trx.selectFrom('api_log').select(trx.fn.countAll().as('n')).where('created_at', '<', cutoff);
    const result = {
      cutoff,
      dryRun: opts.dryRun ?? false,
      keptRunId: keep,
      events,
      keptForRollback: opts.force ? [] : guarded,
      forced: opts.force ? guarded : [],
    };
    if (opts.dryRun) {
      const a = keep === null ? apiOld : apiOld.where((eb) => eb.or([eb('run_id', 'is', null), eb('run_id', '!=', keep)]));
      return { ...result, apiLog: num((await a.executeTakeFirst())?.n) };
    }
    let a = trx.deleteFrom('api_log').where('created_at', '<', cutoff);
    if (keep !== null) a = a.where((eb) => eb.or([eb('run_id', 'is', null), eb('run_id', '!=', keep)]));
    const ra = await a.executeTakeFirst();
    await pruneJournal(trx, cutoff, keep, spared);
    return { ...result, apiLog: num(ra.numDeletedRows) };
  });
}
