import { randomUUID } from 'node:crypto';
import type { ResolvedConfig } from '../config/load.js';
import type { Db } from '../db/connect.js';
import { withRunLock } from '../db/run-lock.js';
import { ConfigError, OrdersyncError } from '../errors.js';
import type { FieldValue } from '../merge/hash.js';
import type { MutationOp } from '../monday/batch.js';
import { fetchBoardSnapshot, type BoardSnapshot } from '../monday/board-schema.js';
import type { MondayClient } from '../monday/client.js';
import { clientFromConfig } from '../monday/from-config.js';
import { formatColumnValues } from '../monday/values.js';
import type { SyncedOrder } from '../sync/desired.js';
import { eventRow, type SyncEvent } from '../sync/journal.js';
import { ApiLog } from './api-log.js';
import { finishRun, startRun } from './runs.js';

/** What rollback does for one journal event of the run being undone. */
export interface RollbackStep {
  event_id: number;
  operation: string;
  order_key: string | null;
  size: string | null;
  monday_id: string | null;
  /** archive = archive what the run created; restore = write the values it replaced; manual = cannot be undone through the API. */
  action: 'archive' | 'restore' | 'covered' | 'manual';
  detail: string;
  outcome?: 'ROLLED_BACK' | 'ERROR';
  error?: string;
}

export interface RollbackResult {
  targetRunId: number;
  /** The rollback's own run record (none for a dry run). */
  runId?: number;
  dryRun: boolean;
  steps: RollbackStep[];
  /** Item ids archived by the run: the 2026-10 API cannot un-archive them one by one. */
  manual: Array<{ operation: string; order_key: string | null; monday_id: string | null; board_id: string | null }>;
  /** 0 all undone, 2 something needs a human (manual restores), 1 a mutation failed. */
  exitCode: 0 | 1 | 2;
}

interface EventRow {
  id: number;
  order_key: string | null;
  size: string | null;
  operation: string;
  board_id: string | null;
  monday_id: string | null;
  before_json: string | null;
  after_json: string | null;
}

interface ItemState {
  columns?: Record<string, unknown> | null;
  group?: string | null;
  group_id?: string | null;
  name?: string | null;
}

const UNDOABLE = new Set(['create_item', 'update_item', 'cancel_item', 'create_subitem', 'update_subitem', 'zero_subitem']);
const MANUAL = new Set(['archive_item', 'archive_subitem', 'delete_subitem']);

/**
 * `ordersync rollback --run <id>`: replays the run's journal backwards. Created items and
 * subitems are archived (monday keeps them 30 days in the board archive), changed values are
 * written back from before_json re-formatted against the live board, and the rows' sync state
 * is put back so the next run redoes the work. Archives and deletions cannot be undone through
 * the 2026-10 API (no single-item unarchive; the sync archives with archive_item, which has no
 * job to undo_action), so their ids are listed for a restore from the board archive by hand.
 */
export async function runRollback(db: Db, cfg: ResolvedConfig, targetRunId: number, opts: { dryRun?: boolean; envVars?: NodeJS.ProcessEnv } = {}): Promise<RollbackResult> {
  const target = await db.kysely.selectFrom('sync_runs').selectAll().where('id', '=', targetRunId).executeTakeFirst();
  if (!target) throw new ConfigError(`run ${targetRunId} does not exist`);
  if (target.env !== cfg.envName) throw new ConfigError(`run ${targetRunId} belongs to environment "${target.env}", not "${cfg.envName}"; pass --env ${target.env}`);
  if (target.command === 'rollback') throw new ConfigError(`run ${targetRunId} is itself a rollback; it cannot be rolled back`);
  if (target.status === 'RUNNING') throw new OrdersyncError(`run ${targetRunId} is still RUNNING; wait for it (or for its lease to expire) first`);
  const earlier = await db.kysely
    .selectFrom('sync_runs')
    .select('id')
    .where('command', '=', 'rollback')
    .where('parent_run_id', '=', targetRunId)
    .where('status', 'in', ['OK', 'DEGRADED'])
    .executeTakeFirst();
  if (earlier) throw new OrdersyncError(`run ${targetRunId} was already rolled back by run ${earlier.id}`);

  const events = (await db.kysely
    .selectFrom('sync_events')
    .select(['id', 'order_key', 'size', 'operation', 'board_id', 'monday_id', 'before_json', 'after_json'])
    .where('run_id', '=', targetRunId)
    .where('outcome', '=', 'OK')
    .orderBy('id', 'desc')
    .execute()) as EventRow[];
  await refuseIfTouchedLater(db, targetRunId, events);

  const archivedItems = new Set(events.filter((e) => e.operation === 'create_item' && e.monday_id).map((e) => e.monday_id as string));
  const steps: RollbackStep[] = [];
  const manual: RollbackResult['manual'] = [];
  for (const e of events) {
    const base = { event_id: e.id, operation: e.operation, order_key: e.order_key, size: e.size, monday_id: e.monday_id };
    if (MANUAL.has(e.operation)) {
      manual.push({ operation: e.operation, order_key: e.order_key, monday_id: e.monday_id, board_id: e.board_id });
      steps.push({ ...base, action: 'manual', detail: `${e.operation === 'delete_subitem' ? 'deleted' : 'archived'} ${e.monday_id}: restore it from the board's archive/trash by hand` });
    } else if (!UNDOABLE.has(e.operation)) {
      continue;
    } else if (e.operation === 'create_item') {
      steps.push({ ...base, action: 'archive', detail: `archive item ${e.monday_id} (created by the run; its subitems go with it)` });
    } else if (e.operation === 'create_subitem') {
      const parent = (parse<{ parent_id?: string }>(e.after_json) ?? {}).parent_id;
      if (parent && archivedItems.has(parent)) steps.push({ ...base, action: 'covered', detail: `subitem ${e.monday_id} goes with its parent ${parent}` });
      else steps.push({ ...base, action: 'archive', detail: `archive subitem ${e.monday_id} (created by the run)` });
    } else if (e.operation === 'update_subitem' || e.operation === 'zero_subitem') {
      steps.push({ ...base, action: 'restore', detail: `subitem ${e.monday_id} quantity back to ${String(parse<{ qty?: unknown }>(e.before_json)?.qty ?? null)}` });
    } else {
      const before = parse<ItemState>(e.before_json) ?? {};
      const what = [...Object.keys(before.columns ?? {}), ...(before.group_id ? ['group'] : [])];
      steps.push({ ...base, action: 'restore', detail: `item ${e.monday_id}: restore ${what.join(', ') || 'name'}` });
    }
  }
  if (opts.dryRun) return { targetRunId, dryRun: true, steps, manual, exitCode: manual.length > 0 ? 2 : 0 };

  return withRunLock(db, cfg.envName, async () => {
    const runId = await startRun(db, cfg.envName, 'rollback', { target: targetRunId }, targetRunId);
    const token = clientFromConfig(cfg, {}, opts.envVars).token;
    const apiLog = new ApiLog(db, runId, token);
    const { client } = clientFromConfig(cfg, { onExchange: apiLog.record }, opts.envVars);
    try {
      const s = cfg.settings;
      if (!s.monday.items_board_id || !s.monday.subitems_board_id) throw new ConfigError(`monday board ids are not set for environment "${cfg.envName}"`);
      const boards = { items: await fetchBoardSnapshot(client, s.monday.items_board_id), subitems: await fetchBoardSnapshot(client, s.monday.subitems_board_id) };
      const byId = new Map(events.map((e) => [e.id, e]));
      await execute(db, cfg, client, runId, boards, steps, byId);
      await apiLog.flush();
      const failed = steps.filter((st) => st.outcome === 'ERROR').length;
      const undone = steps.filter((st) => st.outcome === 'ROLLED_BACK').length;
      const status = failed > 0 ? 'FAILED' : manual.length > 0 ? 'DEGRADED' : 'OK';
      const st = client.stats;
      await finishRun(
        db,
        runId,
        status,
        { counts: { rolled_back: undone, failed, manual: manual.length }, requests: st.requests, mutations: st.mutations, complexityUsed: st.complexityUsed, retries: st.retries },
        `rolled back run ${targetRunId}: ${undone} operation(s) undone, ${failed} failed, ${manual.length} to restore by hand`,
      );
      return { targetRunId, runId, dryRun: false, steps, manual, exitCode: failed > 0 ? 1 : manual.length > 0 ? 2 : 0 };
    } catch (err) {
      await apiLog.flush().catch(() => undefined);
      const message = err instanceof Error ? err.message : String(err);
      await finishRun(db, runId, 'FAILED', { counts: {} }, `failed: ${message}`, message).catch(() => undefined);
      throw err;
    }
  });
}

/** Restoring old values over changes a later run made would lose those changes. */
async function refuseIfTouchedLater(db: Db, targetRunId: number, events: EventRow[]): Promise<void> {
  const ids = [...new Set(events.map((e) => e.monday_id).filter((x): x is string => x !== null))];
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
  if (later.size > 0) {
    throw new OrdersyncError(`later run(s) ${[...later].sort((a, b) => a - b).join(', ')} changed the same items; roll those back first (newest first)`);
  }
}

interface Planned {
  step: RollbackStep;
  ops: MutationOp[];
  event: EventRow;
}

async function execute(db: Db, cfg: ResolvedConfig, client: MondayClient, runId: number, boards: { items: BoardSnapshot; subitems: BoardSnapshot }, steps: RollbackStep[], byId: Map<number, EventRow>): Promise<void> {
  const planned: Planned[] = [];
  for (const step of steps) {
    const event = byId.get(step.event_id) as EventRow;
    if (step.action === 'manual') continue;
    if (step.action === 'covered') {
      planned.push({ step, ops: [], event });
      continue;
    }
    const built = buildOps(cfg, boards, event);
    if ('error' in built) {
      step.outcome = 'ERROR';
      step.error = built.error;
      continue;
    }
    planned.push({ step, ops: built.ops, event });
  }
  const now = () => new Date().toISOString();
  // Journal order, newest first; a batch never splits one step's mutations.
  for (let i = 0; i < planned.length; ) {
    const batch: Planned[] = [];
    let n = 0;
    while (i < planned.length && (batch.length === 0 || n + (planned[i]?.ops.length ?? 0) <= client.batchSize)) {
      const p = planned[i++] as Planned;
      batch.push(p);
      n += p.ops.length;
    }
    const ops = batch.flatMap((p) => p.ops);
    const results = ops.length ? await client.mutate(ops, { idempotencyKey: `ordersync-rollback-${runId}-${randomUUID()}` }) : [];
    let at = 0;
    await db.kysely.transaction().execute(async (trx) => {
      const rows = [];
      for (const p of batch) {
        const mine = results.slice(at, at + p.ops.length);
        at += p.ops.length;
        const failed = mine.find((r) => !r.ok);
        if (failed && !failed.ok) {
          p.step.outcome = 'ERROR';
          p.step.error = failed.error.message;
          rows.push(eventRow(runId, { order_key: p.event.order_key, size: p.event.size, operation: p.event.operation, outcome: 'ERROR', board_id: p.event.board_id, monday_id: p.event.monday_id, error_code: failed.error.code, error_message: failed.error.message }, now()));
          continue;
        }
        await restoreRow(trx as unknown as Db['kysely'], cfg, p.event, now());
        p.step.outcome = 'ROLLED_BACK';
        const e: SyncEvent = { order_key: p.event.order_key, size: p.event.size, operation: p.event.operation, outcome: 'ROLLED_BACK', board_id: p.event.board_id, monday_id: p.event.monday_id, before: parse(p.event.after_json), after: parse(p.event.before_json) };
        rows.push(eventRow(runId, e, now()));
      }
      if (rows.length) await trx.insertInto('sync_events').values(rows).execute();
    });
  }
}

function buildOps(cfg: ResolvedConfig, boards: { items: BoardSnapshot; subitems: BoardSnapshot }, e: EventRow): { ops: MutationOp[] } | { error: string } {
  const id = e.monday_id;
  if (!id) return { error: 'the journal holds no monday id for this event' };
  if (e.operation === 'create_item' || e.operation === 'create_subitem') return { ops: [{ kind: 'archive_item', item_id: id }] };
  if (e.operation === 'update_subitem' || e.operation === 'zero_subitem') {
    const qty = parse<{ qty?: unknown }>(e.before_json)?.qty ?? null;
    const f = formatColumnValues(boards.subitems, { [cfg.settings.mapping.qty_column_id]: qty });
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
  const requeue = { sync_state: 'PENDING' as const, pending_since: now, retry_count: 0, idempotency_key: null, in_flight_since: null, updated_at: now };
  if (e.operation === 'create_item') {
    await k.updateTable('orders').set({ ...requeue, action: 'INSERT', monday_item_id: null, monday_group_id: null, synced_fields_json: null, synced_at: null }).where('id', '=', order.id).execute();
    await k.updateTable('order_lines').set({ sync_state: 'PENDING', action: 'INSERT', monday_subitem_id: null, synced_qty: null, synced_at: null, retry_count: 0, idempotency_key: null, in_flight_since: null, updated_at: now }).where('order_id', '=', order.id).execute();
    return;
  }
  if (e.operation === 'create_subitem' || e.operation === 'update_subitem' || e.operation === 'zero_subitem') {
    const cols =
      e.operation === 'create_subitem'
        ? { action: 'INSERT' as const, monday_subitem_id: null, synced_qty: null }
        : { action: 'UPDATE' as const, synced_qty: toNumber(parse<{ qty?: unknown }>(e.before_json)?.qty) };
    await k.updateTable('order_lines').set({ ...cols, sync_state: 'PENDING', synced_at: null, retry_count: 0, idempotency_key: null, in_flight_since: null, updated_at: now }).where('order_id', '=', order.id).where('size', '=', e.size ?? '').execute();
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
  await k
    .updateTable('orders')
    .set({ ...requeue, action: order.is_cancelled === 1 ? 'CANCEL' : 'UPDATE', synced_fields_json: JSON.stringify(synced), synced_at: null, ...(before.group_id ? { monday_group_id: before.group_id } : {}) })
    .where('id', '=', order.id)
    .execute();
}

function toNumber(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

function parse<T>(json: string | null): T | undefined {
  if (json === null) return undefined;
  try {
    return JSON.parse(json) as T;
  } catch {
    return undefined;
  }
}

/** Terminal rendering of a rollback (or its dry-run plan). */
export function formatRollback(r: RollbackResult): string {
  const lines = [r.dryRun ? `rollback plan for run ${r.targetRunId} (dry run: nothing written)` : `rollback of run ${r.targetRunId} (run ${r.runId})`];
  for (const st of r.steps) lines.push(`  ${st.outcome ?? st.action.toUpperCase()}  ${st.operation} ${st.order_key ?? ''}${st.size ? ` size ${st.size}` : ''}: ${st.detail}${st.error ? ` — ${st.error}` : ''}`);
  if (r.manual.length) {
    lines.push(`${r.manual.length} archived/deleted item(s) cannot be restored through the API; restore them from the board's archive (monday keeps them 30 days):`);
    for (const m of r.manual) lines.push(`  board ${m.board_id ?? '?'} item ${m.monday_id ?? '?'} (${m.operation}, order ${m.order_key ?? '?'})`);
  }
  const done = r.steps.filter((s) => s.outcome === 'ROLLED_BACK').length;
  const failed = r.steps.filter((s) => s.outcome === 'ERROR').length;
  lines.push(r.dryRun ? `${r.steps.length} step(s) planned` : `${done} undone, ${failed} failed, ${r.manual.length} by hand`);
  return lines.join('\n');
}
