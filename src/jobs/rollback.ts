import { randomUUID } from 'node:crypto';
import { subitemColumnIds, type ResolvedConfig } from '../config/index.js';
import type { Db, JournalOperation, RunStatus, SyncEventsTable } from '../db/index.js';
import type { Selectable } from 'kysely';
import { ConfigError, OrdersyncError } from '../errors.js';
import type { FieldValue } from '../merge/index.js';
import { fetchBoardSnapshot, clientFromConfig, formatColumnValues, type MutationOp, type BoardSnapshot } from '../monday/index.js';
import type { SyncedOrder } from '../sync/desired.js';
import { journal, type SyncEvent } from '../queue/journal.js';
import {
  resetCreatedItem,
  resetLine,
  resetUpdatedItem,
  rollbackInFlight,
  rollbackRefused,
  withRunRecord,
  ROLLBACK_KEY_PREFIX,
  UnfinishedJobError,
  unfinishedRollback,
  type RunRecordSpec,
} from '../queue/index.js';
import { ApiLog } from './api-log.js';
import { exitCodeFor, type JobExitCode } from '../observe/exit-code.js';
import { stopScope } from './stop.js';
import { archiveJob, parse, unarchive, type Recreated, type RollbackExec } from './unarchive.js';

/** What rollback does for one journal event of the run being undone. */
export interface RollbackStep {
  event_id: number;
  operation: JournalOperation;
  order_key: string | null;
  size: string | null;
  monday_id: string | null;
  /**
   * archive = archive what the run created; restore = write the values it replaced; covered =
   * undone with its item; remove_group = archive a group the run created once it is empty;
   * unarchive = bring back what the run archived (undo_action on its job, else recreate it);
   * manual = cannot be undone through the API.
   */
  action: 'archive' | 'restore' | 'covered' | 'remove_group' | 'unarchive' | 'manual';
  detail: string;
  /** KEPT: a group left in place because it still holds items (or is the board's last). */
  outcome?: 'ROLLED_BACK' | 'ERROR' | 'KEPT';
  error?: string;
}

export interface RollbackResult {
  targetRunId: number;
  /** The rollback's own run record (none for a dry run). */
  runId?: number;
  dryRun: boolean;
  steps: RollbackStep[];
  /** Steps an interrupted earlier attempt already undid (this one resumed it). */
  alreadyUndone: number;
  /** What the run deleted (or archived without a job to undo): to restore from the board by hand. */
  manual: Array<{ operation: JournalOperation; order_key: string | null; monday_id: string | null; board_id: string | null }>;
  /** Archived items monday could no longer undo, created again from the journal (new ids). */
  recreated: Recreated[];
  /** OK all undone, DEGRADED something needs a human (manual restores), FAILED a mutation failed. */
  status: RunStatus;
  /** exitCodeFor(status): 0, 2 or 1. */
  exitCode: JobExitCode;
}

type EventRow = Pick<Selectable<SyncEventsTable>, 'id' | 'order_key' | 'size' | 'operation' | 'outcome' | 'board_id' | 'monday_id' | 'before_json' | 'after_json'>;

interface ItemState {
  columns?: Record<string, unknown> | null;
  group?: string | null;
  group_id?: string | null;
  name?: string | null;
}

const operations = (...ops: JournalOperation[]): ReadonlySet<JournalOperation> => new Set(ops);
const UNDOABLE = operations('create_item', 'update_item', 'cancel_item', 'create_subitem', 'update_subitem', 'zero_subitem', 'create_group');
const MANUAL = operations('archive_item', 'archive_subitem', 'delete_subitem');
const ARCHIVES = operations('archive_item', 'archive_subitem');
/** Reconcile's adoptions in a sync run are the run's own creations whose answer was lost; a baseline's are the prior system's items. */
const ADOPTED_CREATIONS = operations('adopt_item', 'adopt_subitem');
const ITEM_CREATIONS = operations('create_item', 'adopt_item');
/** Journaled SKIPPED (nothing was sent): its undo puts the line's old subitem id back, and the next run detaches it again. */
const DETACH: JournalOperation = 'detach_subitem';
const SUBITEM_CREATIONS = operations('create_subitem', 'adopt_subitem');
const FINISHED = ['OK', 'DEGRADED'] as const;

/** One step's identity across attempts: a rollback event repeats the undone event's operation, id and size. */
const stepKey = (e: { operation: JournalOperation; monday_id: string | null; size: string | null }) => `${e.operation}|${e.monday_id ?? ''}|${e.size ?? ''}`;

/**
 * `ordersync rollback --run <id>`: replays the run's journal backwards. Created items and
 * subitems (adopted ones included) are archived (monday keeps them 30 days in the board
 * archive), changed values are written back from before_json re-formatted against the live
 * board, groups the run created are archived once empty, and the rows' sync state is put
 * back so the next run redoes the work. Archives come back through undo_action on the job each
 * was journaled with (the 2026-10 API has no single-item unarchive; unarchive.ts); deletions
 * cannot be undone through the API, so their ids are listed for a restore by hand.
 *
 * It is a job like `run`: the rows of each request are marked IN_FLIGHT before it leaves, an
 * item and its subitems change state in one transaction, and an attempt that was killed is
 * resumed by running the same command again (what it undid is skipped, what was in flight is
 * looked up on the board). Until then `run`, `sync` and `retry` refuse to start.
 */
export async function runRollback(db: Db, cfg: ResolvedConfig, targetRunId: number, opts: { dryRun?: boolean; envVars?: NodeJS.ProcessEnv } = {}): Promise<RollbackResult> {
  const target = await db.kysely.selectFrom('sync_runs').selectAll().where('id', '=', targetRunId).executeTakeFirst();
  if (!target) throw new ConfigError(`run ${targetRunId} does not exist`);
  if (target.env !== cfg.envName) throw new ConfigError(`run ${targetRunId} belongs to environment "${target.env}", not "${cfg.envName}"; pass --env ${target.env}`);
  if (target.command === 'rollback') throw new ConfigError(`run ${targetRunId} is itself a rollback; it cannot be rolled back`);
  if (target.status === 'RUNNING') throw new OrdersyncError(`run ${targetRunId} is still RUNNING; wait for it (or for its lease to expire) first`);
  const attempts = await db.kysely.selectFrom('sync_runs').select(['id', 'status']).where('command', '=', 'rollback').where('parent_run_id', '=', targetRunId).orderBy('id', 'desc').execute();
  const finished = attempts[0] && (FINISHED as readonly string[]).includes(attempts[0].status) ? attempts[0] : undefined;
  if (finished) throw new OrdersyncError(`run ${targetRunId} was already rolled back by run ${finished.id}`);

  const events = (await db.kysely
    .selectFrom('sync_events')
    .select(['id', 'order_key', 'size', 'operation', 'outcome', 'board_id', 'monday_id', 'before_json', 'after_json'])
    .where('run_id', '=', targetRunId)
    .where((eb) =>
      target.command === 'cutover:baseline'
        ? eb('outcome', '=', 'OK')
        : eb.or([eb('outcome', '=', 'OK'), eb.and([eb('outcome', '=', 'ADOPTED'), eb('operation', 'in', [...ADOPTED_CREATIONS])]), eb.and([eb('outcome', '=', 'SKIPPED'), eb('operation', '=', DETACH)])]),
    )
    .orderBy('id', 'desc')
    .execute()) as EventRow[];
  await refuseIfTouchedLater(db, targetRunId, events);
  const undone = new Set<string>();
  if (attempts.length > 0) {
    const earlier = await db.kysely
      .selectFrom('sync_events')
      .select(['operation', 'monday_id', 'size'])
      .where('run_id', 'in', attempts.map((a) => a.id))
      .where('outcome', '=', 'ROLLED_BACK')
      .execute();
    for (const e of earlier) undone.add(stepKey(e));
  }

  const archivedItems = new Set(events.filter((e) => ITEM_CREATIONS.has(e.operation) && e.monday_id).map((e) => e.monday_id as string));
  const steps: RollbackStep[] = [];
  const manual: RollbackResult['manual'] = [];
  let alreadyUndone = 0;
  for (const e of events) {
    const base = { event_id: e.id, operation: e.operation, order_key: e.order_key, size: e.size, monday_id: e.monday_id };
    if (ARCHIVES.has(e.operation) && e.monday_id && archiveJob(e)) {
      if (undone.has(stepKey(e))) {
        alreadyUndone++;
        continue;
      }
      steps.push({ ...base, action: 'unarchive', detail: `restore archived ${e.operation === 'archive_item' ? 'item' : 'subitem'} ${e.monday_id} with undo_action (job ${archiveJob(e)})` });
      continue;
    }
    if (MANUAL.has(e.operation)) {
      manual.push({ operation: e.operation, order_key: e.order_key, monday_id: e.monday_id, board_id: e.board_id });
      steps.push({ ...base, action: 'manual', detail: `${e.operation === 'delete_subitem' ? 'deleted' : 'archived'} ${e.monday_id}: restore it from the board's archive/trash by hand` });
      continue;
    }
    if (!UNDOABLE.has(e.operation) && !ADOPTED_CREATIONS.has(e.operation) && e.operation !== DETACH) continue;
    if (undone.has(stepKey(e))) {
      alreadyUndone++;
      continue;
    }
    const parent = (parse<{ parent_id?: string }>(e.after_json) ?? {}).parent_id;
    const adopted = e.outcome === 'ADOPTED' ? ' (adopted after a lost answer)' : '';
    if (e.operation === DETACH) {
      const before = parse<{ subitem_id?: string }>(e.before_json) ?? {};
      steps.push({ ...base, action: 'restore', detail: `line ${e.size ?? ''} points at subitem ${before.subitem_id ?? '?'} again (the run left that subitem untouched; the next run detaches it again)` });
    } else if (e.operation === 'create_group') {
      steps.push({ ...base, action: 'remove_group', detail: `archive group ${e.monday_id} "${parse<{ title?: string }>(e.after_json)?.title ?? ''}" (created by the run) once it holds no item` });
    } else if (ITEM_CREATIONS.has(e.operation)) {
      steps.push({ ...base, action: 'archive', detail: `archive item ${e.monday_id} (created by the run${adopted}; its subitems go with it)` });
    } else if (SUBITEM_CREATIONS.has(e.operation) || e.operation === 'update_subitem' || e.operation === 'zero_subitem') {
      if (parent && archivedItems.has(parent)) steps.push({ ...base, action: 'covered', detail: `subitem ${e.monday_id} goes with its parent ${parent}` });
      else if (SUBITEM_CREATIONS.has(e.operation)) steps.push({ ...base, action: 'archive', detail: `archive subitem ${e.monday_id} (created by the run${adopted})` });
      else steps.push({ ...base, action: 'restore', detail: `subitem ${e.monday_id} quantity back to ${String(parse<{ qty?: unknown }>(e.before_json)?.qty ?? null)}` });
    } else if (e.monday_id && archivedItems.has(e.monday_id)) {
      steps.push({ ...base, action: 'covered', detail: `item ${e.monday_id} is archived: the run created it` });
    } else {
      const before = parse<ItemState>(e.before_json) ?? {};
      const what = [...Object.keys(before.columns ?? {}), ...(before.group_id ? ['group'] : [])];
      steps.push({ ...base, action: 'restore', detail: `item ${e.monday_id}: restore ${what.join(', ') || 'name'}` });
    }
  }
  const statusOf = (failed: number): RunStatus => (failed > 0 ? 'FAILED' : manual.length > 0 ? 'DEGRADED' : 'OK');
  if (opts.dryRun) return { targetRunId, dryRun: true, steps, alreadyUndone, manual, recreated: [], status: statusOf(0), exitCode: exitCodeFor(statusOf(0)) };

  const stop = stopScope();
  const record: RunRecordSpec = {
    env: cfg.envName,
    command: 'rollback',
    options: { target: targetRunId, resumes: attempts.map((a) => a.id) },
    parentRunId: targetRunId,
    resume: `resume with \`ordersync rollback --run ${targetRunId}\``,
    refuse: async () => {
      const other = await unfinishedRollback(db, cfg.envName);
      if (other && other.targetRunId !== targetRunId) {
        throw new UnfinishedJobError(`the rollback of run ${other.targetRunId} did not finish (rollback run ${other.rollbackRunId} was interrupted): resume with \`ordersync rollback --run ${other.targetRunId}\` first`);
      }
    },
    // This attempt takes over from killed ones.
    abandoned: {
      command: 'rollback',
      parentRunId: targetRunId,
      ended: 'before the rollback finished',
      then: (id: number) => `resumed by rollback run ${id}, which skips what it undid and looks up on the board what it left in flight`,
    },
  };
  return withRunRecord(db, record, async ({ id: runId, lock, onThrow }) => {
    const token = clientFromConfig(cfg, {}, opts.envVars).token;
    const apiLog = new ApiLog(db, runId, token);
    onThrow(async () => {
      await apiLog.flush().catch(() => undefined);
      return { counts: {} };
    });
    const { client } = clientFromConfig(cfg, { onExchange: apiLog.record }, opts.envVars);
    const s = cfg.settings;
    if (!s.monday.items_board_id || !s.monday.subitems_board_id) throw new ConfigError(`monday board ids are not set for environment "${cfg.envName}"`);
    const boards = { items: await fetchBoardSnapshot(client, s.monday.items_board_id), subitems: await fetchBoardSnapshot(client, s.monday.subitems_board_id) };
    const byId = new Map(events.map((e) => [e.id, e]));
    // Between requests a stop signal (SIGTERM, SIGINT) ends it as a lost lock would.
    const stoppable = { assertHeld: () => (lock.assertHeld(), stop.check()) };
    const x = { db, cfg, client, runId, targetRunId, boards, lock: stoppable };
    await execute(x, steps, byId);
    const recreated = await unarchive(x, steps.filter((st) => st.action === 'unarchive').map((step) => ({ step, event: byId.get(step.event_id) as EventRow })));
    await apiLog.flush();
    const failed = steps.filter((st) => st.outcome === 'ERROR').length;
    const done = steps.filter((st) => st.outcome === 'ROLLED_BACK').length;
    const kept = steps.filter((st) => st.outcome === 'KEPT').length;
    const status = statusOf(failed);
    const st = client.stats;
    return {
      status,
      totals: { counts: { rolled_back: done, already_undone: alreadyUndone, failed, kept, manual: manual.length, recreated: recreated.length, recreated_items: recreated }, requests: st.requests, mutations: st.mutations, complexityUsed: st.complexityUsed, retries: st.retries },
      verdict: `rolled back run ${targetRunId}: ${done} operation(s) undone${alreadyUndone ? ` (and ${alreadyUndone} by the interrupted attempt)` : ''}, ${failed} failed, ${manual.length} to restore by hand${recreated.length ? `, ${recreated.length} archived item(s) recreated (undo no longer possible)` : ''}${kept ? `, ${kept} group(s) kept` : ''}`,
      value: { targetRunId, runId, dryRun: false, steps, alreadyUndone, manual, recreated, status, exitCode: exitCodeFor(status) },
    };
  }).finally(() => stop.release());
}

/**
 * Restoring old values over changes a later run made would lose those changes; a later run
 * that has itself been rolled back changed nothing that is still there.
 */
async function refuseIfTouchedLater(db: Db, targetRunId: number, events: EventRow[]): Promise<void> {
  // A detached subitem belongs to another order: its later writes are that order's, not this run's.
  const ids = [...new Set(events.filter((e) => e.operation !== DETACH).map((e) => e.monday_id).filter((x): x is string => x !== null))];
  const later = new Set<number>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.kysely
      .selectFrom('sync_events as e')
      .innerJoin('sync_runs as r', 'r.id', 'e.run_id')
      .select('e.run_id')
      .where('e.run_id', '>', targetRunId)
      .where('e.outcome', '=', 'OK')
      .where('r.command', '!=', 'rollback')
      .where('e.monday_id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows) later.add(r.run_id);
  }
  if (later.size === 0) return;
  const rollbacks = await db.kysely
    .selectFrom('sync_runs')
    .select(['id', 'parent_run_id', 'status'])
    .where('command', '=', 'rollback')
    .where('parent_run_id', 'in', [...later])
    .orderBy('id', 'desc')
    .execute();
  const latest = new Map<number, string>();
  for (const r of rollbacks) if (r.parent_run_id !== null && !latest.has(r.parent_run_id)) latest.set(r.parent_run_id, r.status);
  const blocking = [...later].filter((id) => !(FINISHED as readonly string[]).includes(latest.get(id) ?? '')).sort((a, b) => a - b);
  if (blocking.length > 0) {
    throw new OrdersyncError(`later run(s) ${blocking.join(', ')} changed the same items; roll those back first (newest first)`);
  }
}

interface Planned {
  step: RollbackStep;
  event: EventRow;
}

/** What one request carries for one item or subitem: its mutations and every step that goes with them. */
interface Unit {
  steps: Planned[];
  ops: MutationOp[];
  /** The item or subitem archived, when the unit archives one. */
  archives?: string;
}

type Exec = RollbackExec;

async function execute(x: Exec, steps: RollbackStep[], byId: Map<number, EventRow>): Promise<void> {
  const { db, cfg, client, runId, boards } = x;
  // Units in journal order, newest first; a subitem (or update) of an item the run created
  // travels with that item's archive, so the rows of an item and its lines change together.
  const units: Unit[] = [];
  const archiveOf = new Map<string, Unit>();
  const orphans: Planned[] = [];
  for (const step of steps) {
    const event = byId.get(step.event_id) as EventRow;
    if (step.action === 'manual' || step.action === 'remove_group' || step.action === 'unarchive') continue;
    if (step.action === 'covered') {
      orphans.push({ step, event });
      continue;
    }
    const built = buildOps(cfg, boards, event);
    if ('error' in built) {
      step.outcome = 'ERROR';
      step.error = built.error;
      continue;
    }
    const unit: Unit = { steps: [{ step, event }], ops: built.ops, archives: step.action === 'archive' ? (event.monday_id ?? undefined) : undefined };
    if (unit.archives && ITEM_CREATIONS.has(event.operation)) archiveOf.set(unit.archives, unit);
    units.push(unit);
  }
  for (const p of orphans) {
    const parent = p.event.monday_id && archiveOf.has(p.event.monday_id) ? p.event.monday_id : (parse<{ parent_id?: string }>(p.event.after_json) ?? {}).parent_id;
    const owner = parent ? archiveOf.get(parent) : undefined;
    if (owner) owner.steps.push(p);
    // Its item was archived by an interrupted attempt (its rows with it): only the journal is left to write.
    else units.push({ steps: [p], ops: [] });
  }

  // What is already archived on the board (an interrupted attempt's request that did run,
  // or a planner) is not archived again.
  const archiveIds = units.map((u) => u.archives).filter((id): id is string => id !== undefined);
  const gone = new Set<string>();
  for (let i = 0; i < archiveIds.length; i += 50) {
    const chunk = archiveIds.slice(i, i + 50);
    const found = await client.itemsByIds(chunk, { columnIds: [] });
    const active = new Set(found.filter((it) => (it.state ?? 'active') === 'active').map((it) => it.id));
    for (const id of chunk) if (!active.has(id)) gone.add(id);
  }
  for (const u of units) {
    if (u.archives && gone.has(u.archives)) {
      u.ops = [];
      const first = u.steps[0];
      if (first) first.step.detail += ' — already archived on the board';
    }
  }

  const now = () => new Date().toISOString();
  for (let i = 0; i < units.length; ) {
    const batch: Unit[] = [];
    let n = 0;
    while (i < units.length && (batch.length === 0 || n + (units[i]?.ops.length ?? 0) <= client.batchSize)) {
      const u = units[i++] as Unit;
      batch.push(u);
      n += u.ops.length;
    }
    // Between requests: a rollback that lost its lock stops before its next one.
    x.lock.assertHeld();
    const key = `${ROLLBACK_KEY_PREFIX}${runId}-${randomUUID()}`;
    const sending = batch.filter((u) => u.ops.length > 0);
    if (sending.length > 0) await markInFlight(db, sending, key, now());
    const ops = sending.flatMap((u) => u.ops);
    const results = ops.length ? await client.mutate(ops, { idempotencyKey: key }) : [];
    let at = 0;
    await db.kysely.transaction().execute(async (trx) => {
      const k = trx as unknown as Db['kysely'];
      const rows: SyncEvent[] = [];
      for (const u of batch) {
        const mine = results.slice(at, at + u.ops.length);
        at += u.ops.length;
        const failed = mine.find((r) => !r.ok);
        if (failed && !failed.ok) {
          await requeueUnit(k, u, now());
          for (const p of u.steps) {
            p.step.outcome = 'ERROR';
            p.step.error = failed.error.message;
            rows.push({ order_key: p.event.order_key, size: p.event.size, operation: p.event.operation, outcome: 'ERROR', board_id: p.event.board_id, monday_id: p.event.monday_id, error_code: failed.error.code, error_message: failed.error.message });
          }
          continue;
        }
        // Lines first, the item last: an item's reset covers all of its lines.
        for (const p of [...u.steps].reverse()) {
          await restoreRow(k, cfg, p.event, now());
          p.step.outcome = 'ROLLED_BACK';
          rows.push({ order_key: p.event.order_key, size: p.event.size, operation: p.event.operation, outcome: 'ROLLED_BACK', board_id: p.event.board_id, monday_id: p.event.monday_id, before: parse(p.event.after_json), after: parse(p.event.before_json) });
        }
      }
      await journal(trx, runId, rows, now());
    });
  }
  await removeGroups(x, steps.filter((st) => st.action === 'remove_group' && st.outcome === undefined).map((st) => ({ step: st, event: byId.get(st.event_id) as EventRow })));
}

/** The order and line rows a unit's steps put back; created items take all their lines. */
async function unitRows(k: Db['kysely'], u: Unit): Promise<{ orders: number[]; lines: number[] }> {
  const orders = new Set<number>();
  const lines = new Set<number>();
  for (const { event: e } of u.steps) {
    if (!e.order_key) continue;
    const order = await k.selectFrom('orders').select('id').where('order_key', '=', e.order_key).executeTakeFirst();
    if (!order) continue;
    if (ITEM_CREATIONS.has(e.operation)) {
      orders.add(order.id);
      for (const l of await k.selectFrom('order_lines').select('id').where('order_id', '=', order.id).execute()) lines.add(l.id);
    } else if (e.operation === 'update_item' || e.operation === 'cancel_item') {
      orders.add(order.id);
    } else {
      for (const l of await k.selectFrom('order_lines').select('id').where('order_id', '=', order.id).where('size', '=', e.size ?? '').execute()) lines.add(l.id);
    }
  }
  return { orders: [...orders], lines: [...lines] };
}

/** Journaled before the request leaves, like the sync's: a kill leaves these rows IN_FLIGHT under the rollback's key. */
async function markInFlight(db: Db, units: Unit[], key: string, now: string): Promise<void> {
  await db.kysely.transaction().execute(async (trx) => {
    const k = trx as unknown as Db['kysely'];
    for (const u of units) await rollbackInFlight(k, await unitRows(k, u), key, now);
  });
}

/** A step monday refused leaves the board as it was: its rows go back to the queue, and the next run checks them against it. */
async function requeueUnit(k: Db['kysely'], u: Unit, now: string): Promise<void> {
  await rollbackRefused(k, await unitRows(k, u), now);
}

/**
 * Groups the run created go once nothing is left in them (a planner's item, or another
 * run's order, keeps a group); the board's last group stays, as monday requires.
 */
async function removeGroups(x: Exec, groups: Planned[]): Promise<void> {
  if (groups.length === 0) return;
  const board = x.boards.items.board_id;
  const ids = groups.map((g) => g.event.monday_id).filter((id): id is string => id !== null);
  const occupancy = new Map((await x.client.groupOccupancy(board, ids)).map((g) => [g.id, g]));
  let live = (await x.client.groups(board)).length;
  const now = () => new Date().toISOString();
  for (const g of groups) {
    const id = g.event.monday_id ?? '';
    const found = occupancy.get(id);
    if (found?.hasItems) {
      g.step.outcome = 'KEPT';
      g.step.detail += ' — kept: it holds items';
      continue;
    }
    if (found && live <= 1) {
      g.step.outcome = 'KEPT';
      g.step.detail += " — kept: a board keeps at least one group";
      continue;
    }
    x.lock.assertHeld();
    const results = found ? await x.client.mutate([{ kind: 'archive_group', board_id: board, group_id: id }], { idempotencyKey: `${ROLLBACK_KEY_PREFIX}${x.runId}-${randomUUID()}` }) : [];
    const failed = results.find((r) => !r.ok);
    if (failed && !failed.ok) {
      g.step.outcome = 'ERROR';
      g.step.error = failed.error.message;
      await journal(x.db.kysely, x.runId, [{ order_key: null, operation: 'create_group', outcome: 'ERROR', board_id: board, monday_id: id, error_code: failed.error.code, error_message: failed.error.message }], now());
      continue;
    }
    if (found) live--;
    else g.step.detail += ' — already gone from the board';
    await x.db.kysely.transaction().execute(async (trx) => {
      await trx.deleteFrom('monday_groups').where('board_id', '=', board).where('group_id', '=', id).execute();
      await journal(trx, x.runId, [{ order_key: null, operation: 'create_group', outcome: 'ROLLED_BACK', board_id: board, monday_id: id, before: parse(g.event.after_json), after: null }], now());
    });
    g.step.outcome = 'ROLLED_BACK';
  }
}

function buildOps(cfg: ResolvedConfig, boards: { items: BoardSnapshot; subitems: BoardSnapshot }, e: EventRow): { ops: MutationOp[] } | { error: string } {
  const id = e.monday_id;
  if (!id) return { error: 'the journal holds no monday id for this event' };
  if (e.operation === DETACH) return { ops: [] };
  if (ITEM_CREATIONS.has(e.operation) || SUBITEM_CREATIONS.has(e.operation)) return { ops: [{ kind: 'archive_item', item_id: id }] };
  if (e.operation === 'update_subitem' || e.operation === 'zero_subitem') {
    const qty = parse<{ qty?: unknown }>(e.before_json)?.qty ?? null;
    const f = formatColumnValues(boards.subitems, { [subitemColumnIds(cfg.settings, cfg.envName).qty]: qty });
    if (!f.ok) return { error: f.errors.map((x) => x.message).join('; ') };
    return { ops: [{ kind: 'change_multiple_column_values', board_id: boards.subitems.board_id, item_id: id, column_values: f.values }] };
  }
  const before = parse<ItemState>(e.before_json) ?? {};
  const after = parse<ItemState>(e.after_json) ?? {};
  const f = formatColumnValues(boards.items, before.columns ?? {});
  if (!f.ok) return { error: f.errors.map((x) => x.message).join('; ') };
  const values: Record<string, unknown> = { ...f.values };
  if (before.name && before.name !== after.name) values.name = before.name;
  const ops: MutationOp[] = [];
  if (Object.keys(values).length) ops.push({ kind: 'change_multiple_column_values', board_id: boards.items.board_id, item_id: id, column_values: values });
  if (before.group_id && before.group_id !== after.group_id) ops.push({ kind: 'move_item_to_group', item_id: id, group_id: before.group_id });
  return { ops };
}

/** Puts the row back the way it was before the run, so the next run redoes the work. */
async function restoreRow(k: Db['kysely'], cfg: ResolvedConfig, e: EventRow, now: string): Promise<void> {
  if (!e.order_key) return;
  const order = await k.selectFrom('orders').select(['id', 'is_cancelled', 'synced_fields_json']).where('order_key', '=', e.order_key).executeTakeFirst();
  if (!order) return;
  if (ITEM_CREATIONS.has(e.operation)) {
    await resetCreatedItem(k, order.id, now);
    return;
  }
  if (e.operation === DETACH) {
    const before = parse<{ subitem_id?: string; synced_qty?: number | null }>(e.before_json) ?? {};
    if (!before.subitem_id) return;
    await resetLine(k, order.id, e.size ?? '', { action: 'UPDATE', monday_subitem_id: before.subitem_id, synced_qty: before.synced_qty ?? null }, now);
    return;
  }
  if (SUBITEM_CREATIONS.has(e.operation) || e.operation === 'update_subitem' || e.operation === 'zero_subitem') {
    const cols =
      SUBITEM_CREATIONS.has(e.operation)
        ? { action: 'INSERT' as const, monday_subitem_id: null, synced_qty: null }
        : { action: 'UPDATE' as const, synced_qty: toNumber(parse<{ qty?: unknown }>(e.before_json)?.qty) };
    await resetLine(k, order.id, e.size ?? '', cols, now);
    return;
  }
  // update_item / cancel_item: the "last synced" values go back to the board's previous ones.
  const before = parse<ItemState>(e.before_json) ?? {};
  const synced = parse<SyncedOrder>(order.synced_fields_json) ?? { fields: {}, group: '', name: '', cancelled: false };
  const sourceOf = new Map(Object.entries(cfg.settings.mapping.columns).map(([source, col]) => [col, source]));
  const status = cfg.settings.cancel.status_column_id;
  for (const [col, value] of Object.entries(before.columns ?? {})) {
    const source = sourceOf.get(col);
    if (source !== undefined) synced.fields[source] = value as FieldValue;
    if (col === status) synced.cancelled = typeof value === 'string' && value.toLowerCase() === cfg.settings.cancel.status_label.toLowerCase();
  }
  if (typeof before.group === 'string') synced.group = before.group;
  if (typeof before.name === 'string') synced.name = before.name;
  await resetUpdatedItem(k, order.id, { action: order.is_cancelled === 1 ? 'CANCEL' : 'UPDATE', synced_fields_json: JSON.stringify(synced), ...(before.group_id ? { monday_group_id: before.group_id } : {}) }, now);
}

function toNumber(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

/** Terminal rendering of a rollback (or its dry-run plan). */
export function formatRollback(r: RollbackResult): string {
  const lines = [r.dryRun ? `rollback plan for run ${r.targetRunId} (dry run: nothing written)` : `rollback of run ${r.targetRunId} (run ${r.runId})`];
  if (r.alreadyUndone > 0) lines.push(`  resumes an interrupted rollback: ${r.alreadyUndone} operation(s) it undid are skipped`);
  for (const st of r.steps) lines.push(`  ${st.outcome ?? st.action.toUpperCase()}  ${st.operation} ${st.order_key ?? ''}${st.size ? ` size ${st.size}` : ''}: ${st.detail}${st.error ? ` — ${st.error}` : ''}`);
  for (const m of r.recreated) lines.push(`  recreated ${m.operation === 'archive_item' ? 'item' : 'subitem'} of order ${m.order_key ?? '?'} as ${m.new_id} (archived ${m.archived_id}: ${m.reason})`);
  if (r.manual.length) {
    lines.push(`${r.manual.length} deleted (or archived without a job to undo) item(s) cannot be restored through the API; restore them from the board's archive or trash (monday keeps them 30 days):`);
    for (const m of r.manual) lines.push(`  board ${m.board_id ?? '?'} item ${m.monday_id ?? '?'} (${m.operation}, order ${m.order_key ?? '?'})`);
  }
  const done = r.steps.filter((s) => s.outcome === 'ROLLED_BACK').length;
  const failed = r.steps.filter((s) => s.outcome === 'ERROR').length;
  lines.push(r.dryRun ? `${r.steps.length} step(s) planned` : `${done} undone, ${failed} failed, ${r.manual.length} by hand`);
  return lines.join('\n');
}
