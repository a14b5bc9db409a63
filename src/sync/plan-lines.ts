import type { Selectable } from 'kysely';
import type { JournalOperation, OrderLinesTable } from '../db/index.js';
import { formatColumnValues, type MutationOp } from '../monday/index.js';
import { targetQty } from './board-match.js';
import type { PlanContext } from './context.js';
import { failureOf } from './failures.js';
import { labelPolicy } from './labels.js';
import type { Decision, Unit } from './operations.js';

/** A pending line as the subitems phase reads it, with its order's key, item and cancellation. */
export type LineRow = Pick<Selectable<OrderLinesTable>, 'id' | 'order_id' | 'size' | 'size_position' | 'qty' | 'synced_qty' | 'action' | 'monday_subitem_id' | 'retry_count'> & {
  order_key: string;
  parent_id: string;
  is_cancelled: number;
};

/** The planner's decision for one pending line: its request and what the answer does to the row, nothing to send, or why it fails before any request. */
export function planLine(ctx: PlanContext, l: LineRow): Decision {
  const board = ctx.subitemsBoard.board_id;
  const m = ctx.s.mapping;
  const target = targetQty(l, l.is_cancelled === 1);
  const base = { table: 'order_lines' as const, id: l.id, orderKey: l.order_key, retryCount: l.retry_count, size: l.size, mondayId: l.monday_subitem_id };
  const removal = l.action === 'DELETE' && m.line_delete_policy !== 'zero' && l.monday_subitem_id !== null;

  if (removal) {
    const subitemId = l.monday_subitem_id as string;
    const remove = m.line_delete_policy === 'delete';
    const unit: Unit = {
      ...base,
      operation: remove ? 'delete_subitem' : 'archive_subitem',
      // Archived through a job, so rollback can bring the subitem back with undo_action.
      ops: [remove ? { kind: 'delete_item', item_id: subitemId } : { kind: 'bulk_archive_items', board_id: board, item_ids: [subitemId] }],
      outcome: {
        answer: remove ? 'none' : 'archive_job',
        effect: { kind: 'subitem_removed', id: l.id },
        count: 'subitems_removed',
        event: { order_key: l.order_key, size: l.size, operation: remove ? 'delete_subitem' : 'archive_subitem', outcome: 'OK', board_id: board, monday_id: subitemId, before: { qty: l.synced_qty, state: 'active', parent_id: l.parent_id, size_position: l.size_position }, after: { state: remove ? 'deleted' : 'archived' } },
      },
    };
    return { kind: 'send', unit };
  }
  if (l.monday_subitem_id !== null && l.synced_qty === target) return { kind: 'unchanged' };

  const { size, qty } = ctx.subitemColumns;
  const sources: Record<string, unknown> = { [qty]: target };
  if (l.monday_subitem_id === null) sources[size] = l.size;
  const formatted = formatColumnValues(ctx.subitemsBoard, sources, { longTextOverflow: ctx.s.mapping.long_text_overflow });
  const operation: JournalOperation = l.monday_subitem_id === null ? 'create_subitem' : target === 0 ? 'zero_subitem' : 'update_subitem';
  const fail = (err: unknown): Decision => ({ kind: 'failed', row: { ...base, operation }, failure: failureOf(err) });
  if (!formatted.ok) return fail(formatted.errors[0]);
  const labels = labelPolicy(ctx, formatted.values, ctx.subitemsBoard);
  if (labels instanceof Error) return fail(labels);

  // A created subitem's id is monday's answer; an existing one's is the row's.
  const written =
    l.monday_subitem_id === null
      ? { answer: 'created_id' as const, effect: { kind: 'subitem_created' as const, id: l.id, synced_qty: target } }
      : { answer: 'none' as const, effect: { kind: 'subitem_synced' as const, id: l.id, monday_subitem_id: l.monday_subitem_id, synced_qty: target } };
  const op: MutationOp =
    l.monday_subitem_id === null
      ? { kind: 'create_subitem', parent_item_id: l.parent_id, item_name: m.subitem_name.replaceAll('{size}', l.size), column_values: formatted.values, create_labels_if_missing: labels }
      : { kind: 'change_multiple_column_values', board_id: board, item_id: l.monday_subitem_id, column_values: formatted.values, create_labels_if_missing: labels };
  const unit: Unit = {
    ...base,
    operation,
    ops: [op],
    outcome: { ...written, count: operation === 'create_subitem' ? 'subitems_created' : operation === 'zero_subitem' ? 'subitems_zeroed' : 'subitems_updated', event: { order_key: l.order_key, size: l.size, operation, outcome: 'OK', board_id: board, monday_id: l.monday_subitem_id, before: l.monday_subitem_id ? { qty: l.synced_qty } : null, after: { qty: target, parent_id: l.parent_id } } },
  };
  return { kind: 'send', unit };
}
