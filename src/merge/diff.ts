import type { Settings } from '../config/index.js';
import type { LineOnRecord, OrderOnRecord, LineAction, OrderAction, SyncState } from '../db/index.js';
import type { ProjectedLine, ProjectedOrder } from './project.js';

/** What the merge reads of an order on record to decide its transition. */
export type ExistingOrder = OrderOnRecord;

/** What the merge reads of a line on record to diff it by size. */
export type ExistingLine = LineOnRecord;

export type Outcome = 'new' | 'updated' | 'cancelled' | 'reactivated' | 'skipped_cancelled' | 'unchanged';

export interface OrderDecision {
  outcome: Outcome;
  action: OrderAction;
  state: SyncState;
}

/**
 * A row that is mid-request keeps IN_FLIGHT: crash recovery must first find out whether
 * monday applied the request, and the new values are sent after that.
 */
function pendingUnlessInFlight(state: SyncState): SyncState {
  return state === 'IN_FLIGHT' ? 'IN_FLIGHT' : 'PENDING';
}

/** SPEC §1.2 and §4: what a staged order means given what the database holds for its key. */
export function decideOrder(
  e: ExistingOrder | undefined,
  p: ProjectedOrder,
  neverSynced: Settings['cancel']['never_synced'],
): OrderDecision | undefined {
  if (!e) {
    if (p.cancelled && neverSynced === 'skip') return { outcome: 'skipped_cancelled', action: 'NONE', state: 'SKIPPED' };
    return { outcome: 'new', action: 'INSERT', state: 'PENDING' };
  }
  if (e.row_hash === p.rowHash && e.lines_hash === p.linesHash && e.in_staging === 1) return undefined;

  const wasCancelled = e.is_cancelled === 1;
  const outcome: Outcome = p.cancelled && !wasCancelled ? 'cancelled' : !p.cancelled && wasCancelled ? 'reactivated' : 'updated';

  if (e.monday_item_id === null) {
    // Never reached the board: still a create, unless it is cancelled and policy skips those.
    if (p.cancelled && neverSynced === 'skip' && e.sync_state !== 'IN_FLIGHT') {
      return { outcome: outcome === 'updated' ? 'skipped_cancelled' : outcome, action: 'NONE', state: 'SKIPPED' };
    }
    return { outcome, action: 'INSERT', state: pendingUnlessInFlight(e.sync_state) };
  }

  if (e.row_hash === p.rowHash && outcome === 'updated' && e.in_staging === 1) {
    // Only quantities moved: the item is as it was; its lines carry the change. Not for an
    // order back in staging: its item may have been archived meanwhile and must return.
    return { outcome, action: e.action, state: e.sync_state };
  }
  const cancelPending = e.action === 'CANCEL' && e.sync_state !== 'SYNCED';
  const action: OrderAction = p.cancelled && (!wasCancelled || cancelPending) ? 'CANCEL' : 'UPDATE';
  return { outcome, action, state: pendingUnlessInFlight(e.sync_state) };
}

export type LineChange =
  | { kind: 'insert'; line: ProjectedLine; action: LineAction; state: SyncState }
  | { kind: 'update'; id: number; qty: number; action: LineAction; state: SyncState }
  | { kind: 'delete'; id: number };

/**
 * Lines diffed by size. A size that is gone keeps its row (qty 0, action DELETE) when its
 * subitem exists, so the sync can zero or remove it; a cancellation or reactivation
 * re-queues every line, because what the board should show (0 or the quantity) changed.
 */
export function diffLines(
  existing: ExistingLine[],
  staged: ProjectedLine[],
  opts: { orderSkipped: boolean; cancelFlipped: boolean },
): LineChange[] {
  const changes: LineChange[] = [];
  const bySize = new Map(existing.map((l) => [l.size, l]));
  const stagedSizes = new Set(staged.map((l) => l.size));
  const lineState = (l: ExistingLine | undefined): SyncState =>
    opts.orderSkipped ? 'SKIPPED' : l ? pendingUnlessInFlight(l.sync_state) : 'PENDING';

  for (const line of staged) {
    const ex = bySize.get(line.size);
    if (!ex) {
      changes.push({ kind: 'insert', line, action: 'INSERT', state: lineState(undefined) });
    } else if (ex.qty !== line.qty || (opts.cancelFlipped && ex.monday_subitem_id !== null)) {
      changes.push({ kind: 'update', id: ex.id, qty: line.qty, action: ex.monday_subitem_id ? 'UPDATE' : 'INSERT', state: lineState(ex) });
    } else if (opts.orderSkipped && ex.sync_state !== 'SKIPPED' && ex.monday_subitem_id === null) {
      changes.push({ kind: 'update', id: ex.id, qty: line.qty, action: 'NONE', state: 'SKIPPED' });
    } else if (!opts.orderSkipped && ex.sync_state === 'SKIPPED') {
      // The order is no longer skipped (reactivated before its first sync): its lines are creates again.
      changes.push({ kind: 'update', id: ex.id, qty: line.qty, action: ex.monday_subitem_id ? 'UPDATE' : 'INSERT', state: 'PENDING' });
    }
  }
  for (const ex of existing) {
    // qty 0 marks a size already removed (whatever action the sync left on it): nothing new.
    if (stagedSizes.has(ex.size) || ex.qty === 0) continue;
    if (ex.monday_subitem_id === null && ex.sync_state !== 'IN_FLIGHT') {
      changes.push({ kind: 'delete', id: ex.id });
    } else {
      changes.push({ kind: 'update', id: ex.id, qty: 0, action: 'DELETE', state: lineState(ex) });
    }
  }
  return changes;
}
