import type { SyncState } from '../db/index.js';
import type { PlanContext } from './context.js';
import type { SyncCounts } from './counts.js';
import { desiredGroup, type OrderRow } from './desired.js';
import { targetQty } from './board-match.js';
import { plannedLabels } from './labels.js';
import { planItem } from './plan-items.js';
import { planLine, type LineRow } from './plan-lines.js';

/** An order as the planner sees it: its row (after the merge) and its state. */
export type PlannedOrderRow = OrderRow & { sync_state: SyncState };

/** A line with its state; its parent is the order's item, if it has one yet. */
export type PlannedLineRow = Omit<LineRow, 'parent_id'> & { parent_id: string | null; sync_state: SyncState };

export interface PlannedItem {
  key: string;
  name: string;
  operation: 'create_item' | 'update_item' | 'cancel_item' | 'archive_item' | 'unchanged' | 'failed';
  group: string;
  /** Mutations the request carries (an update that also moves the item has two). */
  mutations: number;
  error?: string;
}

export interface PlannedLine {
  key: string;
  size: string;
  operation: 'create_subitem' | 'update_subitem' | 'zero_subitem' | 'delete_subitem' | 'archive_subitem' | 'unchanged' | 'failed';
  /** The quantity on the board (last synced), and what the line sends. */
  from: number | null;
  to: number;
  error?: string;
}

/** The run's counts the planner decides; the others (reconcile, groups found by title, detached subitems) depend on monday's answers. */
export const PLANNED_COUNTS = [
  'groups_created',
  'items_created',
  'items_updated',
  'items_cancelled',
  'items_archived',
  'items_unchanged',
  'items_failed',
  'subitems_created',
  'subitems_updated',
  'subitems_zeroed',
  'subitems_removed',
  'subitems_unchanged',
  'subitems_failed',
] as const satisfies ReadonlyArray<keyof SyncCounts>;
export type PlannedCounts = Record<(typeof PLANNED_COUNTS)[number], number>;

export interface BoardPlan {
  counts: PlannedCounts;
  groupsToCreate: string[];
  items: PlannedItem[];
  lines: PlannedLine[];
}

const ITEM_WORK: ReadonlySet<string> = new Set(['INSERT', 'UPDATE', 'CANCEL', 'ARCHIVE']);
const placeholder = (title: string) => `planned group "${title}"`;

/**
 * What a run does to the board for these rows, decided by the same functions the run uses
 * (plan-items.ts planItem, plan-lines.ts planLine) on the same rows, without the database or monday: the
 * items phase over pending orders, groups created for titles the board lacks, then the
 * subitems phase over the pending lines of orders that are on the board by then. What only
 * monday's answers can tell (lost answers, refusals, subitems found under another item) is
 * not planned.
 */
export function planBoard(given: Omit<PlanContext, 'labels'>, orders: readonly PlannedOrderRow[], lines: readonly PlannedLineRow[], knownGroups: ReadonlyMap<string, string>): BoardPlan {
  // A plan is one run's worth of decisions: its label bookkeeping starts afresh, as a run's does.
  const ctx: PlanContext = { ...given, labels: plannedLabels() };
  const counts = Object.fromEntries(PLANNED_COUNTS.map((k) => [k, 0])) as PlannedCounts;
  const items: PlannedItem[] = [];
  const pending = orders.filter((o) => o.sync_state === 'PENDING' && ITEM_WORK.has(o.action)).sort((a, b) => a.id - b.id);
  const titles = [...new Set(pending.filter((o) => o.action !== 'ARCHIVE').map((o) => desiredGroup(ctx, o)))];
  const groupsToCreate = titles.filter((t) => !knownGroups.has(t));
  counts.groups_created = groupsToCreate.length;
  const groups = { ids: new Map([...knownGroups, ...groupsToCreate.map((t) => [t, placeholder(t)] as const)]), errors: new Map<string, Error>() };

  const onBoard = new Map<number, string>();
  for (const o of orders) if (o.monday_item_id && o.sync_state !== 'SKIPPED' && o.sync_state !== 'IN_FLIGHT') onBoard.set(o.id, o.monday_item_id);
  for (const o of pending) {
    const built = planItem(ctx, o, groups);
    const base = { key: o.order_key, name: o.item_name, group: desiredGroup(ctx, o) };
    if (built.kind === 'failed') {
      counts.items_failed++;
      items.push({ ...base, operation: 'failed', mutations: 0, error: built.failure.message });
    } else if (built.kind === 'unchanged') {
      counts.items_unchanged++;
      items.push({ ...base, operation: 'unchanged', mutations: 0 });
    } else {
      const op = built.unit.operation as PlannedItem['operation'];
      counts[op === 'create_item' ? 'items_created' : op === 'update_item' ? 'items_updated' : op === 'cancel_item' ? 'items_cancelled' : 'items_archived']++;
      items.push({ ...base, operation: op, mutations: built.unit.ops.length });
      if (op === 'create_item') onBoard.set(o.id, `planned item ${o.order_key}`);
    }
  }

  const planned: PlannedLine[] = [];
  for (const l of lines.filter((x) => x.sync_state === 'PENDING').sort((a, b) => a.id - b.id)) {
    const parent = onBoard.get(l.order_id);
    if (!parent) continue;
    const built = planLine(ctx, { ...l, parent_id: parent });
    const base = { key: l.order_key, size: l.size, from: l.synced_qty };
    if (built.kind === 'unchanged') {
      counts.subitems_unchanged++;
      planned.push({ ...base, operation: 'unchanged', to: targetQty(l, l.is_cancelled === 1) });
    } else if (built.kind === 'failed') {
      counts.subitems_failed++;
      planned.push({ ...base, operation: 'failed', to: targetQty(l, l.is_cancelled === 1), error: built.failure.message });
    } else {
      const op = built.unit.operation as PlannedLine['operation'];
      counts[op === 'create_subitem' ? 'subitems_created' : op === 'update_subitem' ? 'subitems_updated' : op === 'zero_subitem' ? 'subitems_zeroed' : 'subitems_removed']++;
      planned.push({ ...base, operation: op, to: targetQty(l, l.is_cancelled === 1) });
    }
  }
  return { counts, groupsToCreate, items, lines: planned };
}

