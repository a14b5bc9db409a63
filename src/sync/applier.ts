import { randomUUID } from 'node:crypto';
import { jobIdOf, DailyLimitError, MondayError, type AliasResult, type MutationData } from '../monday/index.js';
import { applyEffect, forgetArchivedGone, markInFlight, recordFailure, requeue, requeueGoneItem, type RowEffect, type RowFailure } from '../queue/index.js';
import { journal, type SyncEvent } from '../queue/journal.js';
import type { SyncContext } from './context.js';
import { failureOf } from './failures.js';
import type { FailedRow, PlannedOutcome, Unit } from './operations.js';

/** Why a run stops early, keeping the queue for the next run (SyncResult.stopped). */
export interface Stop {
  code: string;
  message: string;
  resumeAfter?: string;
}

export type InFlightIds = { orders: number[]; lines: number[] };

/** What one request did: rows whose answer is unknown (for reconcile), and a stop when monday refused to go on. */
export interface Applied {
  unknown: InFlightIds;
  stop?: Stop;
}

export function stopOf(err: MondayError): Stop {
  return { code: err.code, message: err.message, resumeAfter: err instanceof DailyLimitError ? err.resetsAt.toISOString() : undefined };
}

/** A planned outcome completed with monday's answer to the unit's first mutation. */
export function completed(o: PlannedOutcome, answer: MutationData | undefined): { effect: RowEffect; event: SyncEvent } {
  switch (o.answer) {
    case 'none':
      return { effect: o.effect, event: o.event };
    case 'archive_job':
      return { effect: o.effect, event: { ...o.event, after: { ...(o.event.after as object), job_id: jobIdOf(answer) } } };
    case 'created_id': {
      const id = (answer as MutationData).id;
      const event = { ...o.event, monday_id: id };
      const { id: row } = o.effect;
      if (o.effect.kind === 'item_created') {
        return { effect: { kind: 'item_synced', id: row, synced_fields_json: o.effect.synced_fields_json, monday_item_id: id, monday_group_id: o.effect.monday_group_id }, event };
      }
      return { effect: { kind: 'subitem_synced', id: row, monday_subitem_id: id, synced_qty: o.effect.synced_qty }, event };
    }
  }
}

/**
 * The crash-safe send of one request: rows are marked IN_FLIGHT with the request's
 * Idempotency-Key in their own committed transaction before the request leaves; the answered
 * units' planned outcomes are completed and written back (ids and SYNCED together) in one
 * transaction after it returns. A crash in between leaves IN_FLIGHT rows that reconcile
 * resolves by looking the board up, never by resending blind. Failed aliases fail only their
 * rows; a refusal of the whole request is a stop, not an exception.
 */
export async function applyBatch(ctx: SyncContext, planned: Unit[]): Promise<Applied> {
  const unknown: InFlightIds = { orders: [], lines: [] };
  if (planned.length === 0) return { unknown };
  const key = `ordersync-${ctx.env}-${ctx.runId}-${randomUUID()}`;
  const now = ctx.now();
  await ctx.db.kysely.transaction().execute((trx) => markInFlight(trx, idsOf(planned), key, now));
  const units = await settleArchivesOffBoard(ctx, planned);
  if (units.length === 0) return { unknown };
  const ids = idsOf(units);

  ctx.touching([...new Set(units.map((u) => u.orderKey))]);
  let results: AliasResult[];
  try {
    results = await ctx.board.send(units.flatMap((u) => u.ops), key);
  } catch (err) {
    if (!(err instanceof MondayError)) throw err;
    // The request may have run: the board is asked next, so this run carries on with the truth.
    if (err.maybeApplied || (err.errorClass === 'transient' && !(err instanceof DailyLimitError))) return { unknown: ids };
    // Refused before anything ran (daily cap, budget, auth, a malformed request): the rows
    // go back to the queue, or to ERROR for a refusal resending cannot fix, and the run stops.
    const refusedForNow = err instanceof DailyLimitError || err.errorClass === 'rate';
    await recordFailures(ctx, units, failureOf(err), refusedForNow);
    return { unknown, stop: stopOf(err) };
  }

  let at = 0;
  const perUnit = units.map((u) => {
    const mine = results.slice(at, at + u.ops.length);
    at += u.ops.length;
    return mine;
  });
  const gone = await goneFromBoard(ctx, units.filter((u, i) => mayBeGone(u, perUnit[i] ?? [])));
  // Aliases whose outcome is unknown (5xx, timeout, dropped connection) stay IN_FLIGHT for
  // reconcile; a daily-cap refusal re-queues its rows and stops the run after the others are kept.
  let stop: Stop | undefined;
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
        stop = stopOf(failed.error);
        await requeue(trx, u.table, [u.id]);
        continue;
      }
      if (u.operation === 'archive_item' && u.mondayId && gone.has(u.mondayId)) {
        events.push(await settleArchive(trx, ctx, u, 'deleted', now));
        continue;
      }
      if (failed && u.mondayId && gone.has(u.mondayId)) {
        const f = { ...failureOf(failed.error), message: `item ${u.mondayId} was deleted on the board: queued to be created again (with its subitems) by the next run` };
        await requeueGoneItem(trx, u.id, f, now);
        events.push({ ...failureEvent(u, f), before: { monday_id: u.mondayId, state: 'deleted' }, after: { queued: 'create' } });
        countFailures(ctx, [u]);
        continue;
      }
      if (failed) {
        const f = failureOf(failed.error);
        await recordFailure(trx, u.table, u, f, ctx.s.monday.row_retry_limit);
        events.push(failureEvent(u, f));
        countFailures(ctx, [u]);
        continue;
      }
      const first = mine[0];
      const done = completed(u.outcome, first?.ok ? first.data : undefined);
      await applyEffect(trx, done.effect, ctx.runId, ctx.now());
      ctx.counts[u.outcome.count]++;
      events.push(done.event);
    }
    await journal(trx, ctx.runId, events, now);
  });
  return { unknown, stop };
}

function idsOf(units: readonly Unit[]): InFlightIds {
  return {
    orders: units.filter((u) => u.table === 'orders').map((u) => u.id),
    lines: units.filter((u) => u.table === 'order_lines').map((u) => u.id),
  };
}

/**
 * An update, cancel or archive of an existing item that monday answered "not found": a deleted
 * item, but also a group or column gone. (A subitem deleted by hand is set aside before its
 * line is planned: the subitems phase reads the subitems under each item first; an archive's
 * item was asked about before the request, see settleArchivesOffBoard.)
 */
function mayBeGone(u: Unit, results: readonly AliasResult[]): boolean {
  if (u.table !== 'orders' || !u.mondayId) return false;
  const notFound = results.some((r) => !r.ok && r.error.code === 'ResourceNotFoundException');
  return (u.operation === 'update_item' || u.operation === 'cancel_item' || u.operation === 'archive_item') && notFound;
}

/**
 * Of these units' items, those monday confirms deleted (or no longer returns). Asked
 * by id because "not found" also means a group or column gone; a lookup that fails confirms
 * nothing, so the rows fail as refused and the next run meets them again.
 */
async function goneFromBoard(ctx: SyncContext, units: readonly Unit[]): Promise<Set<string>> {
  const ids = [...new Set(units.map((u) => u.mondayId as string))];
  const states = await boardStates(ctx, ids);
  return new Set(states ? ids.filter((id) => states.get(id) === 'deleted') : []);
}

/** active, archived or deleted (monday no longer returns it) by item id; undefined when monday could not be asked. */
async function boardStates(ctx: SyncContext, ids: readonly string[]): Promise<Map<string, string> | undefined> {
  if (ids.length === 0) return new Map();
  try {
    const found = await ctx.board.itemStates(ids);
    return new Map(ids.map((id) => [id, found.get(id) ?? 'deleted']));
  } catch (err) {
    if (err instanceof MondayError) return undefined;
    throw err;
  }
}

/**
 * Archives of items a planner already took off the board (archived or deleted by hand): the
 * goal is met, nothing is sent. Asked before the request, because after it every archived
 * item looks like ours, and a rollback of this run would then "bring back" the planner's
 * archive (undo_action of a job that archived nothing, else a recreated item). Their rows are
 * in flight already, so a crash here is reconciled like any other. monday not answering leaves
 * the archives to be sent as planned.
 */
async function settleArchivesOffBoard(ctx: SyncContext, units: Unit[]): Promise<Unit[]> {
  const archives = units.filter((u) => u.operation === 'archive_item' && u.mondayId);
  const states = await boardStates(ctx, archives.map((u) => u.mondayId as string));
  const off = archives.filter((u) => (states?.get(u.mondayId as string) ?? 'active') !== 'active');
  if (off.length === 0) return units;
  const now = ctx.now();
  await ctx.db.kysely.transaction().execute(async (trx) => {
    const events: SyncEvent[] = [];
    for (const u of off) events.push(await settleArchive(trx, ctx, u, states?.get(u.mondayId as string) === 'archived' ? 'archived' : 'deleted', now));
    await journal(trx, ctx.runId, events, now);
  });
  return units.filter((u) => !off.includes(u));
}

/**
 * An archive whose item was already off the board: journaled SKIPPED with the state found, so
 * rollback has nothing of ours to bring back; counted items_already_gone (the goal is met). A
 * deleted item's id is forgotten; an archived one stays the order's, as after our own archive.
 */
async function settleArchive(trx: Parameters<typeof applyEffect>[0], ctx: SyncContext, u: Unit, state: 'archived' | 'deleted', now: string): Promise<SyncEvent> {
  if (state === 'deleted') await forgetArchivedGone(trx, u.id, ctx.runId, now);
  else await applyEffect(trx, completed(u.outcome, undefined).effect, ctx.runId, now);
  ctx.counts.items_already_gone++;
  return { ...u.outcome.event, outcome: 'SKIPPED', before: { state }, after: { state, reason: `item ${u.mondayId} was already ${state} on the board: nothing to archive` } };
}

function failureEvent(u: FailedRow, f: RowFailure): SyncEvent {
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
