import { dbOwnedChanges } from '../config/index.js';
import type { JournalOperation } from '../db/index.js';
import { formatColumnValues, formatValue, FormatError, type MutationOp, type FormattedValue } from '../monday/index.js';
import type { PlanContext } from './context.js';
import { changedFields, columnSources, desiredState, type OrderRow, type SyncedOrder } from './desired.js';
import { failureOf } from './failures.js';
import { labelPolicy } from './labels.js';
import type { Decision } from './operations.js';

/** Group ids by title for the planner, and the titles monday refused to create (their orders fail). */
export interface PlannedGroups {
  ids: Map<string, string>;
  errors: Map<string, Error>;
}

/**
 * The planner's decision for one pending order: its request and what the answer does to the
 * row, nothing to send, or why it fails before any request. Create with every value, update
 * only what changed (and move the item when its group changed), cancel, archive.
 */
export function planItem(ctx: PlanContext, o: OrderRow, groups: PlannedGroups): Decision {
  const base = { table: 'orders' as const, id: o.id, orderKey: o.order_key, retryCount: o.retry_count, mondayId: o.monday_item_id };
  const fail = (operation: JournalOperation, err: unknown): Decision => ({ kind: 'failed', row: { ...base, operation }, failure: failureOf(err) });
  const board = ctx.itemsBoard.board_id;

  if (o.action === 'ARCHIVE') {
    if (!o.monday_item_id) return { kind: 'unchanged' };
    const itemId = o.monday_item_id;
    return {
      kind: 'send',
      unit: {
        ...base,
        operation: 'archive_item',
        // One job per item: rollback undoes each archive on its own (undo_action takes the job id).
        ops: [{ kind: 'bulk_archive_items', board_id: board, item_ids: [itemId] }],
        outcome: {
          answer: 'archive_job',
          effect: { kind: 'item_synced', id: o.id, synced_fields_json: o.synced_fields_json },
          count: 'items_archived',
          event: { order_key: o.order_key, operation: 'archive_item', outcome: 'OK', board_id: board, monday_id: itemId, before: { state: 'active', group_id: o.monday_group_id }, after: { state: 'archived' } },
        },
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
  const labels = labelPolicy(ctx, values, ctx.itemsBoard);
  if (labels instanceof FormatError) return fail(operation, labels);

  if (creating) {
    return {
      kind: 'send',
      unit: {
        ...base,
        operation,
        ops: [{ kind: 'create_item', board_id: board, group_id: groupId, item_name: desired.name, column_values: values, create_labels_if_missing: labels }],
        outcome: {
          answer: 'created_id',
          effect: { kind: 'item_created', id: o.id, synced_fields_json: JSON.stringify(desired), monday_group_id: groupId },
          count: 'items_created',
          event: { order_key: o.order_key, operation, outcome: 'OK', board_id: board, before: null, after: { columns: sources, group: groupTitle, group_id: groupId, name: desired.name } },
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
  if (ops.length === 0) return { kind: 'unchanged' };
  const before = synced ? columnSources(ctx, synced, changed) : null;
  return {
    kind: 'send',
    unit: {
      ...base,
      operation,
      ops,
      outcome: {
        answer: 'none',
        effect: { kind: 'item_synced', id: o.id, synced_fields_json: JSON.stringify(desired), monday_group_id: groupId },
        count: operation === 'cancel_item' ? 'items_cancelled' : 'items_updated',
        event: {
          order_key: o.order_key,
          operation,
          outcome: 'OK',
          board_id: board,
          monday_id: itemId,
          before: { columns: before, group: synced?.group ?? null, group_id: move ? o.monday_group_id : undefined, name: synced?.name },
          after: { columns: sources, group: groupTitle, group_id: groupId, name: desired.name },
        },
      },
    },
  };
}
