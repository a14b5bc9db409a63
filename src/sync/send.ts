import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database } from '../db/types.js';
import type { AliasResult, MutationData, MutationOp } from '../monday/batch.js';
import { DailyLimitError, MondayError } from '../monday/errors.js';
import type { SyncContext } from './context.js';
import { failureColumns, failureOf, orderFailureColumns, type RowFailure } from './failures.js';
import { eventRow, type SyncEvent } from './journal.js';
import { reconcileInFlight } from './reconcile.js';

/**
 * One row's work in a request: its mutations (usually one; an update may also move the
 * item) and what to record once monday has answered.
 */
export interface Unit {
  table: 'orders' | 'order_lines';
  id: number;
  orderKey: string;
  retryCount: number;
  ops: MutationOp[];
  /** All of the unit's mutations succeeded: write ids, SYNCED and the journal. */
  onSuccess(trx: Transaction<Database>, data: MutationData[]): Promise<SyncEvent[]>;
  /** Which operation name the journal shows for a failure. */
  operation: string;
  size?: string | null;
  mondayId?: string | null;
}

/** monday refused or lost a whole request; rows were left as reconcile needs them. */
export class RequestFailed extends Error {
  constructor(
    override readonly cause: MondayError,
    readonly inFlightIds: { orders: number[]; lines: number[] },
  ) {
    super(cause.message);
  }
}

/**
 * The crash-safe send: rows are marked IN_FLIGHT with the request's Idempotency-Key in
 * their own committed transaction before the request leaves; results are written back,
 * ids and SYNCED together, in one transaction after it returns. A crash in between leaves
 * IN_FLIGHT rows that reconcile resolves by looking the board up, never by resending blind.
 */
export async function sendUnits(ctx: SyncContext, units: Unit[]): Promise<void> {
  if (units.length === 0) return;
  const key = `ordersync-${ctx.env}-${ctx.runId}-${randomUUID()}`;
  const now = ctx.now();
  const ids = {
    orders: units.filter((u) => u.table === 'orders').map((u) => u.id),
    lines: units.filter((u) => u.table === 'order_lines').map((u) => u.id),
  };
  await ctx.db.kysely.transaction().execute(async (trx) => {
    if (ids.orders.length) {
      await trx.updateTable('orders').set({ sync_state: 'IN_FLIGHT', idempotency_key: key, in_flight_since: now }).where('id', 'in', ids.orders).execute();
    }
    if (ids.lines.length) {
      await trx.updateTable('order_lines').set({ sync_state: 'IN_FLIGHT', idempotency_key: key, in_flight_since: now }).where('id', 'in', ids.lines).execute();
    }
  });

  const ops = units.flatMap((u) => u.ops);
  ctx.touching([...new Set(units.map((u) => u.orderKey))]);
  let results: AliasResult[];
  try {
    results = await ctx.client.mutate(ops, { idempotencyKey: key });
  } catch (err) {
    if (!(err instanceof MondayError)) throw err;
    if (err.maybeApplied || (err.errorClass === 'transient' && !(err instanceof DailyLimitError))) {
      // The request may have run: ask the board now, so this run carries on with the truth.
      await reconcileInFlight(ctx, ids);
      return;
    }
    // Refused before anything ran (daily cap, budget, auth, a malformed request): the rows
    // go back to the queue, or to ERROR for a refusal resending cannot fix, and the run stops.
    const refusedForNow = err instanceof DailyLimitError || err.errorClass === 'rate';
    await recordFailures(ctx, units, failureOf(err), refusedForNow);
    throw new RequestFailed(err, ids);
  }

  let at = 0;
  const perUnit = units.map((u) => {
    const mine = results.slice(at, at + u.ops.length);
    at += u.ops.length;
    return mine;
  });
  // Aliases whose outcome is unknown (5xx, timeout, dropped connection) stay IN_FLIGHT for
  // reconcile; a daily-cap refusal re-queues its rows and ends the run after the others are kept.
  const unknown = { orders: [] as number[], lines: [] as number[] };
  let stop: MondayError | undefined;
  await ctx.db.kysely.transaction().execute(async (trx) => {
    const events: ReturnType<typeof eventRow>[] = [];
    for (const [i, u] of units.entries()) {
      const mine = perUnit[i] ?? [];
      const failed = mine.find((r): r is { ok: false; error: MondayError } => !r.ok);
      if (failed?.error.maybeApplied) {
        (u.table === 'orders' ? unknown.orders : unknown.lines).push(u.id);
        continue;
      }
      if (failed && failed.error instanceof DailyLimitError) {
        stop = failed.error;
        await trx.updateTable(u.table).set({ sync_state: 'PENDING', idempotency_key: null, in_flight_since: null }).where('id', '=', u.id).execute();
        continue;
      }
      if (failed) {
        const f = failureOf(failed.error);
        await setFailure(trx, u, f, ctx.s.monday.row_retry_limit);
        events.push(eventRow(ctx.runId, failureEvent(u, f), now));
        countFailures(ctx, [u]);
        continue;
      }
      const data = mine.map((r) => (r as { ok: true; data: MutationData }).data);
      for (const e of await u.onSuccess(trx, data)) events.push(eventRow(ctx.runId, e, now));
    }
    for (let i = 0; i < events.length; i += 200) await trx.insertInto('sync_events').values(events.slice(i, i + 200)).execute();
  });
  if (unknown.orders.length + unknown.lines.length > 0) await reconcileInFlight(ctx, unknown);
  if (stop) throw new RequestFailed(stop, unknown);
}

async function setFailure(trx: Transaction<Database>, u: Pick<Unit, 'table' | 'id' | 'retryCount'>, f: RowFailure, limit: number): Promise<void> {
  if (u.table === 'orders') {
    await trx.updateTable('orders').set(orderFailureColumns(f, u.retryCount, limit)).where('id', '=', u.id).execute();
  } else {
    await trx.updateTable('order_lines').set(failureColumns(f, u.retryCount, limit)).where('id', '=', u.id).execute();
  }
}

function failureEvent(u: Unit, f: RowFailure): SyncEvent {
  return {
    order_key: u.orderKey,
    size: u.size ?? null,
    operation: u.operation,
    outcome: 'ERROR',
    monday_id: u.mondayId ?? null,
    error_code: f.code,
    error_message: f.message,
    column_id: f.column,
    value: f.value,
  };
}

/**
 * Rows that failed before any request (a value that cannot be formatted, a label that
 * may not be created) or whose request was refused outright.
 */
export async function recordFailures(
  ctx: SyncContext,
  units: Array<Pick<Unit, 'table' | 'id' | 'orderKey' | 'retryCount' | 'operation' | 'size' | 'mondayId'>>,
  failure: RowFailure | ((u: number) => RowFailure),
  requeueOnly = false,
): Promise<void> {
  if (units.length === 0) return;
  const now = ctx.now();
  await ctx.db.kysely.transaction().execute(async (trx) => {
    const events = [];
    for (const [i, u] of units.entries()) {
      const f = typeof failure === 'function' ? failure(i) : failure;
      if (requeueOnly) {
        const requeue = { sync_state: 'PENDING' as const, idempotency_key: null, in_flight_since: null, last_error_code: f.code, last_error: f.message };
        await trx.updateTable(u.table).set(requeue).where('id', '=', u.id).execute();
      } else {
        await setFailure(trx, u, f, ctx.s.monday.row_retry_limit);
      }
      if (!requeueOnly) events.push(eventRow(ctx.runId, failureEvent(u as Unit, f), now));
    }
    if (events.length) await trx.insertInto('sync_events').values(events).execute();
  });
  if (!requeueOnly) countFailures(ctx, units);
}

function countFailures(ctx: SyncContext, units: Array<Pick<Unit, 'table'>>): void {
  for (const u of units) {
    if (u.table === 'orders') ctx.counts.items_failed++;
    else ctx.counts.subitems_failed++;
  }
}
