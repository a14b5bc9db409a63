import { dbOwnedChanges } from '../config/ownership.js';
import type { JournalOperation } from '../db/types.js';
import { jobIdOf, type MutationData, type MutationOp } from '../monday/batch.js';
import { FormatError, formatColumnValues, formatValue, missingLabels, type FormattedValue } from '../monday/values.js';
import { markOrdersUnchanged } from '../queue/effects.js';
import type { RowFailure } from '../queue/flight.js';
import type { PlanContext, SyncContext } from './context.js';
import { changedFields, columnSources, desiredGroup, desiredState, ORDER_COLUMNS, type OrderRow, type SyncedOrder } from './desired.js';
import { failureOf, MissingLabelError } from './failures.js';
import { ensureGroups } from './groups.js';
import { recordFailures, sendUnits, type FailedRow, type Unit } from './send.js';

const PAGE = 500;

/** Pending orders in id order, each visited at most once per run (keyset on id). */
async function* pendingOrders(ctx: SyncContext): AsyncGenerator<OrderRow[]> {
  let after = 0;
  let budget = ctx.scope.limit ?? Number.POSITIVE_INFINITY;
  while (budget > 0) {
    let q = ctx.db.kysely
      .selectFrom('orders')
      .select(ORDER_COLUMNS)
      .where('sync_state', '=', 'PENDING')
      .where('action', 'in', ['INSERT', 'UPDATE', 'CANCEL', 'ARCHIVE'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(Math.min(PAGE, budget));
    if (ctx.scope.customer !== undefined) q = q.where('customer', '=', ctx.scope.customer);
    const rows = await q.execute();
    if (rows.length === 0) return;
    after = rows[rows.length - 1]?.id ?? after;
    budget -= rows.length;
    yield rows;
  }
}

export async function countPendingOrders(ctx: SyncContext): Promise<number> {
  let q = ctx.db.kysely
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('sync_state', '=', 'PENDING')
    .where('action', 'in', ['INSERT', 'UPDATE', 'CANCEL', 'ARCHIVE']);
  if (ctx.scope.customer !== undefined) q = q.where('customer', '=', ctx.scope.customer);
  const n = Number((await q.executeTakeFirst())?.n ?? 0);
  return Math.min(n, ctx.scope.limit ?? n);
}

/** Items: create with every value, update only what changed, cancel, archive. */
export async function syncItems(ctx: SyncContext): Promise<void> {
  const total = await countPendingOrders(ctx);
  let done = 0;
  ctx.progress('items', done, total);
  for await (const page of pendingOrders(ctx)) {
    const groups = await ensureGroups(
      ctx,
      page.filter((o) => o.action !== 'ARCHIVE').map((o) => desiredGroup(ctx, o)),
    );
    const units: Unit[] = [];
    const local: Array<{ unit: FailedRow; failure: RowFailure }> = [];
    const unchanged: OrderRow[] = [];
    for (const o of page) {
      const built = buildUnit(ctx, o, groups);
      if ('failure' in built) local.push(built);
      else if (built.unit) units.push(built.unit);
      else unchanged.push(o);
    }
    await recordFailures(ctx, local.map((l) => l.unit), (i) => (local[i] as { failure: RowFailure }).failure);
    await markUnchanged(ctx, unchanged);
    done += local.length + unchanged.length;
    for (let i = 0; i < units.length; ) {
      // A unit may carry two mutations (update + move); keep each request within batch_size.
      const batch: Unit[] = [];
      let n = 0;
      while (i < units.length && (batch.length === 0 || n + (units[i]?.ops.length ?? 0) <= ctx.client.batchSize)) {
        const u = units[i++] as Unit;
        batch.push(u);
        n += u.ops.length;
      }
      await sendUnits(ctx, batch);
      done += batch.length;
      ctx.progress('items', done, total);
    }
    ctx.progress('items', done, total);
  }
}

type Built = { unit: Unit | undefined } | { unit: FailedRow; failure: RowFailure };

/** The planner's decision for one pending order: its request, nothing to send, or why it fails before any request. */
export function buildUnit(ctx: PlanContext, o: OrderRow, groups: { ids: Map<string, string>; errors: Map<string, Error> }): Built {
  const base = { table: 'orders' as const, id: o.id, orderKey: o.order_key, retryCount: o.retry_count, mondayId: o.monday_item_id };
  const fail = (operation: JournalOperation, err: unknown): Built => ({ unit: { ...base, ops: [], operation, }, failure: failureOf(err) });
  const board = ctx.itemsBoard.board_id;

  if (o.action === 'ARCHIVE') {
    if (!o.monday_item_id) return { unit: undefined };
    const itemId = o.monday_item_id;
    return {
      unit: {
        ...base,
        operation: 'archive_item',
        // One job per item: rollback undoes each archive on its own (undo_action takes the job id).
        ops: [{ kind: 'bulk_archive_items', board_id: board, item_ids: [itemId] }],
        success: ([data]) => ({
          effect: { kind: 'item_synced', id: o.id, synced_fields_json: o.synced_fields_json },
          count: 'items_archived',
          events: [{ order_key: o.order_key, operation: 'archive_item', outcome: 'OK', board_id: board, monday_id: itemId, before: { state: 'active', group_id: o.monday_group_id }, after: { state: 'archived', job_id: jobIdOf(data) } }],
        }),
      },
    };
  }

  const desired = desiredState(ctx, o);
  const groupTitle = desired.group;
  const groupId = groups.ids.get(groupTitle);
  const operation: JournalOperation = o.monday_item_id ? (o.action === 'CANCEL' ? 'cancel_item' : 'update_item') : 'create_item';
  if (!groupId) {
    const err = groups.errors.get(groupTitle) ?? new Error(`group "${groupTitle}" could not be found or created`);
    return fail(operation, err);
  }
  const name = formatValue({ id: 'name', title: 'Name', type: 'name' }, desired.name);
  if (!name.ok) return fail(operation, name.error);

  const synced = o.synced_fields_json ? (JSON.parse(o.synced_fields_json) as SyncedOrder) : null;
  const creating = !o.monday_item_id;
  const changed = creating ? undefined : dbOwnedChanges(ctx.s, changedFields(desired, synced));
  const sources = columnSources(ctx, desired, changed);
  if (creating) for (const [k, v] of Object.entries(sources)) if (v === null) delete sources[k];
  // The whole key, in its canonical escaped form, in the column crash recovery searches by.
  if (creating && ctx.boardKey.kind === 'whole' && ctx.boardKey.written) sources[ctx.boardKey.columnId] = o.order_key;
  const syncedAt = ctx.s.mapping.columns['@synced_at'];
  if (syncedAt && (creating || Object.keys(sources).length > 0)) sources[syncedAt] = ctx.now();
  const formatted = formatColumnValues(ctx.itemsBoard, sources, { longTextOverflow: ctx.s.mapping.long_text_overflow });
  if (!formatted.ok) return fail(operation, formatted.errors[0]);
  const values: Record<string, FormattedValue> = { ...formatted.values };
  if (!creating && synced?.name !== desired.name) values.name = desired.name;
  const labels = labelPolicy(ctx, values);
  if (labels instanceof FormatError) return fail(operation, labels);

  if (creating) {
    return {
      unit: {
        ...base,
        operation,
        ops: [{ kind: 'create_item', board_id: board, group_id: groupId, item_name: desired.name, column_values: values, create_labels_if_missing: labels }],
        success: ([data]) => {
          const item = data as MutationData;
          return {
            effect: { kind: 'item_synced', id: o.id, synced_fields_json: JSON.stringify(desired), monday_item_id: item.id, monday_group_id: groupId },
            count: 'items_created',
            events: [{ order_key: o.order_key, operation, outcome: 'OK', board_id: board, monday_id: item.id, before: null, after: { columns: sources, group: groupTitle, group_id: groupId, name: desired.name } }],
          };
        },
      },
    };
  }

  const itemId = o.monday_item_id as string;
  const ops: MutationOp[] = [];
  if (Object.keys(values).length > 0) {
    ops.push({ kind: 'change_multiple_column_values', board_id: board, item_id: itemId, column_values: values, create_labels_if_missing: labels });
  }
  const move = groupId !== o.monday_group_id;
  if (move) ops.push({ kind: 'move_item_to_group', item_id: itemId, group_id: groupId });
  if (ops.length === 0) return { unit: undefined };
  const before = synced ? columnSources(ctx, synced, changed) : null;
  return {
    unit: {
      ...base,
      operation,
      ops,
      success: () => ({
        effect: { kind: 'item_synced', id: o.id, synced_fields_json: JSON.stringify(desired), monday_group_id: groupId },
        count: operation === 'cancel_item' ? 'items_cancelled' : 'items_updated',
        events: [
          {
            order_key: o.order_key,
            operation,
            outcome: 'OK',
            board_id: board,
            monday_id: itemId,
            before: { columns: before, group: synced?.group ?? null, group_id: move ? o.monday_group_id : undefined, name: synced?.name },
            after: { columns: sources, group: groupTitle, group_id: groupId, name: desired.name },
          },
        ],
      }),
    },
  };
}

async function markUnchanged(ctx: SyncContext, rows: OrderRow[]): Promise<void> {
  if (rows.length === 0) return;
  await markOrdersUnchanged(ctx.db.kysely, rows.map((r) => r.id), ctx.runId, ctx.now());
  ctx.counts.items_unchanged += rows.length;
}

/**
 * create_labels_if_missing applies to a whole mutation, so it is only sent when every
 * column that needs a new label allows creation; otherwise the row fails here, naming
 * the column and label, without spending a request.
 */
export function labelPolicy(ctx: Pick<PlanContext, 's' | 'itemsBoard'>, values: Record<string, FormattedValue>, board = ctx.itemsBoard): boolean | FormatError {
  const missing = missingLabels(board, values);
  if (missing.length === 0) return false;
  const policy = ctx.s.monday.create_labels;
  const refused = missing.find((m) => !(policy.columns[m.columnId] ?? policy.default));
  if (refused) {
    return new MissingLabelError(
      refused.columnId,
      refused.title,
      refused.type,
      refused.label,
      `label "${refused.label}" does not exist and label creation is off for this column (monday.create_labels)`,
    );
  }
  const full = statusLabelLimit(board, missing);
  if (full) return full;
  return true;
}

/** monday: a status column holds at most 40 labels of at most 30 characters. */
const MAX_STATUS_LABELS = 40;
const MAX_STATUS_LABEL_LENGTH = 30;
/** Status labels this run will create, per board snapshot and column (lower-cased). */
const plannedLabels = new WeakMap<object, Map<string, Set<string>>>();

/**
 * A status label monday cannot create (the column is full, or the text too long) fails its
 * row here with a message saying so, instead of monday's bare "invalid value".
 */
function statusLabelLimit(board: ContextBoard, missing: ReturnType<typeof missingLabels>): FormatError | undefined {
  let perBoard = plannedLabels.get(board);
  if (!perBoard) plannedLabels.set(board, (perBoard = new Map()));
  for (const m of missing) {
    if (m.type !== 'status') continue;
    if (m.label.length > MAX_STATUS_LABEL_LENGTH) {
      return new FormatError(m.columnId, m.title, m.type, m.label, `monday status labels are at most ${MAX_STATUS_LABEL_LENGTH} characters; this one cannot be created (use a dropdown or text column for this value)`);
    }
    const planned = perBoard.get(m.columnId) ?? new Set<string>();
    perBoard.set(m.columnId, planned);
    if (planned.has(m.label.toLowerCase())) continue;
    const existing = board.columns.find((c) => c.id === m.columnId)?.settings?.labels?.length ?? 0;
    if (existing + planned.size >= MAX_STATUS_LABELS) {
      return new FormatError(
        m.columnId,
        m.title,
        m.type,
        m.label,
        `the status column already has ${existing + planned.size} labels, monday's maximum is ${MAX_STATUS_LABELS}: label "${m.label}" cannot be created (map this source to a dropdown or text column, or clean up labels on the board)`,
      );
    }
    planned.add(m.label.toLowerCase());
  }
  return undefined;
}

type ContextBoard = SyncContext['itemsBoard'];
