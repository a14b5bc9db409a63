import { randomUUID } from 'node:crypto';
import type { JournalOperation } from '../db/types.js';
import type { AliasResult, MutationData, MutationOp } from '../monday/batch.js';
import { DailyLimitError, MondayError } from '../monday/errors.js';
import { applyEffect, type RowEffect } from '../queue/effects.js';
import { markInFlight, recordFailure, requeue, type RowFailure, type RowTable } from '../queue/flight.js';
import { journal, type SyncEvent } from '../queue/journal.js';
import type { SyncContext } from './context.js';
import type { SyncCounts } from './counts.js';
import { failureOf } from './failures.js';
import { reconcileInFlight } from './reconcile.js';

/** What a unit's answered mutations do: the row's change (data, written by queue/), its journal rows and the count it adds to. */
export interface Success {
  effect: RowEffect;
  events: SyncEvent[];
  count: keyof SyncCounts;
}

/**
 * One row's work in a request: its mutations (usually one; an update may also move the
 * item) and what monday's answer does to the row.
 */
export interface Unit {
  table: RowTable;
  id: number;
  orderKey: string;
  retryCount: number;
  ops: MutationOp[];
  /** All of the unit's mutations succeeded (their answers, in order). */
  success(data: MutationData[]): Success;
  /** Which operation name the journal shows for a failure. */
  operation: JournalOperation;
  size?: string | null;
  mondayId?: string | null;
}

/** A row that failed before any request was built for it: only what its failure record needs. */
export type FailedRow = Pick<Unit, 'table' | 'id' | 'orderKey' | 'retryCount' | 'operation' | 'size' | 'mondayId'>;

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
  await ctx.db.kysely.transaction().execute((trx) => markInFlight(trx, ids, key, now));

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
    const events: SyncEvent[] = [];
    for (const [i, u] of units.entries()) {
      const mine = perUnit[i] ?? [];
      const failed = mine.find((r): r is { ok: false; error: MondayError } => !r.ok);
      if (failed?.error.maybeApplied) {
        (u.table === 'orders' ? unknown.orders : unknown.lines).push(u.id);
        continue;
      }
      if (failed && failed.error instanceof DailyLimitError) {
        stop = failed.error;
        await requeue(trx, u.table, [u.id]);
        continue;
      }
      if (failed) {
        const f = failureOf(failed.error);
        await recordFailure(trx, u.table, u, f, ctx.s.monday.row_retry_limit);
        events.push(failureEvent(u, f));
        countFailures(ctx, [u]);
        continue;
      }
      const done = u.success(mine.map((r) => (r as { ok: true; data: MutationData }).data));
      await applyEffect(trx, done.effect, ctx.runId, ctx.now());
      ctx.counts[done.count]++;
      events.push(...done.events);
    }
    await journal(trx, ctx.runId, events, now);
  });
  if (unknown.orders.length + unknown.lines.length > 0) await reconcileInFlight(ctx, unknown);
  if (stop) throw new RequestFailed(stop, unknown);
}

function failureEvent(u: Pick<Unit, 'orderKey' | 'size' | 'operation' | 'mondayId'>, f: RowFailure): SyncEvent {
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
  units: FailedRow[],
  failure: RowFailure | ((u: number) => RowFailure),
  requeueOnly = false,
): Promise<void> {
  if (units.length === 0) return;
  const now = ctx.now();
  await ctx.db.kysely.transaction().execute(async (trx) => {
    const events: SyncEvent[] = [];
    for (const [i, u] of units.entries()) {
      const f = typeof failure === 'function' ? failure(i) : failure;
      if (requeueOnly) {
        await requeue(trx, u.table, [u.id], f);
      } else {
        await recordFailure(trx, u.table, u, f, ctx.s.monday.row_retry_limit);
        events.push(failureEvent(u, f));
      }
    }
    await journal(trx, ctx.runId, events, now);
  });
  if (!requeueOnly) countFailures(ctx, units);
}

function countFailures(ctx: SyncContext, units: Array<Pick<Unit, 'table'>>): void {
  for (const u of units) {
    if (u.table === 'orders') ctx.counts.items_failed++;
    else ctx.counts.subitems_failed++;
  }
}
