import { SYNC_STATES, type SyncState } from '../db/index.js';

/** Where a row comes from before it exists, and goes to when it is deleted (mermaid's `[*]`). */
export const OUTSIDE = '[*]';
export type Node = SyncState | typeof OUTSIDE;
/** The to-state of a transition that leaves a row in the state it is in (it changes other columns, such as ids). */
export const SAME = 'same';

export interface Transition {
  from: readonly Node[];
  to: Node | typeof SAME;
  /** Why, as the state diagram in docs/architecture.md says it. */
  label: string;
  /** The merge writes its own rows (src/merge/); every other transition is a function of src/queue/. */
  by?: 'merge';
}

const ANY: readonly SyncState[] = SYNC_STATES;
/** Every state but IN_FLIGHT: rows no request is out for. */
const SETTLED: readonly SyncState[] = SYNC_STATES.filter((st) => st !== 'IN_FLIGHT');

/**
 * Every change of `orders.sync_state`: queue/ writes a row's state only through one of these,
 * and its UPDATE only matches rows in one of `from` (a row in any other state is left alone).
 * docs/architecture.md's order diagram is tested against this table (tests/architecture/).
 */
export const ORDER_TRANSITIONS = {
  mergeNew: { from: [OUTSIDE], to: 'PENDING', label: 'merge (INSERT / UPDATE / CANCEL / ARCHIVE)', by: 'merge' },
  mergeSkip: { from: [OUTSIDE, ...SETTLED], to: 'SKIPPED', label: 'cancelled or vanished, never synced (policy skip)', by: 'merge' },
  mergeChange: { from: SETTLED, to: 'PENDING', label: 'merge sees a changed hash, a cancellation or a reactivation', by: 'merge' },
  markInFlight: { from: ['PENDING'], to: 'IN_FLIGHT', label: 'request stored, about to be sent' },
  markSynced: { from: ['IN_FLIGHT'], to: 'SYNCED', label: 'monday answered (ids written)' },
  markUnchanged: { from: ['PENDING'], to: 'SYNCED', label: 'nothing to send' },
  requeue: { from: ['IN_FLIGHT'], to: 'PENDING', label: 'lost answer, not found on the board (reconcile), or refused for now' },
  adopt: { from: ['IN_FLIGHT'], to: 'PENDING', label: 'found on the board: adopted, values re-sent (reconcile)' },
  confirmArchived: { from: ['IN_FLIGHT'], to: 'SYNCED', label: 'found archived on the board (reconcile)' },
  fail: { from: ['PENDING', 'IN_FLIGHT'], to: 'ERROR', label: 'refused, permanent or retry_count ≥ row_retry_limit' },
  retryLater: { from: ['PENDING', 'IN_FLIGHT'], to: 'PENDING', label: 'refused, retries left' },
  itemGone: { from: ['IN_FLIGHT'], to: 'PENDING', label: 'its item was deleted on the board: queued as a create' },
  archivedGone: { from: ['IN_FLIGHT'], to: 'SYNCED', label: 'to be archived, its item already deleted on the board: forgotten' },
  retryErrors: { from: ['ERROR'], to: 'PENDING', label: 'ordersync retry' },
  requeueDrift: { from: ['SYNCED'], to: 'PENDING', label: 'verify --fix: the board drifted' },
  adoptBaseline: { from: SETTLED, to: 'SYNCED', label: 'cutover baseline adopts an identical item' },
  adoptBaselineChanged: { from: SETTLED, to: 'PENDING', label: 'cutover baseline adopts an item that differs' },
  rollbackInFlight: { from: ANY, to: 'IN_FLIGHT', label: 'rollback request stored' },
  rollbackRefused: { from: ['IN_FLIGHT'], to: 'PENDING', label: 'rollback request refused' },
  resetForRollback: { from: ANY, to: 'PENDING', label: 'rollback of the run that synced it' },
  restoreArchived: { from: ANY, to: 'PENDING', label: 'rollback brings back the item the run archived (to be archived again)' },
} as const satisfies Record<string, Transition>;

/** Every change of `order_lines.sync_state` (and every deletion of a line), as for orders. */
export const LINE_TRANSITIONS = {
  mergeNew: { from: [OUTSIDE], to: 'PENDING', label: 'merge (INSERT new size / UPDATE qty / DELETE size gone)', by: 'merge' },
  mergeSkip: { from: [OUTSIDE, ...SETTLED], to: 'SKIPPED', label: 'its order is skipped', by: 'merge' },
  mergeChange: { from: SETTLED, to: 'PENDING', label: 'quantity changed, order cancelled or reactivated', by: 'merge' },
  mergeDrop: { from: SETTLED, to: OUTSIDE, label: 'size gone before it had a subitem', by: 'merge' },
  markInFlight: { from: ['PENDING'], to: 'IN_FLIGHT', label: 'request stored' },
  markSynced: { from: ['IN_FLIGHT'], to: 'SYNCED', label: 'subitem created / quantity written / zeroed' },
  markUnchanged: { from: ['PENDING'], to: 'SYNCED', label: 'the subitem already shows it' },
  removed: { from: ['IN_FLIGHT'], to: OUTSIDE, label: 'DELETE with line_delete_policy delete/archive (row removed)' },
  detach: { from: ['PENDING'], to: 'PENDING', label: 'its subitem is under another item: forgotten' },
  dropDetached: { from: ['PENDING', 'IN_FLIGHT'], to: OUTSIDE, label: 'a removal whose subitem is under another item' },
  requeue: { from: ['IN_FLIGHT'], to: 'PENDING', label: 'lost answer (reconcile by size under the parent), or refused for now' },
  adopt: { from: ['IN_FLIGHT'], to: 'PENDING', label: 'found under its item: adopted (reconcile)' },
  fail: { from: ['PENDING', 'IN_FLIGHT'], to: 'ERROR', label: 'refused too often' },
  retryLater: { from: ['PENDING', 'IN_FLIGHT'], to: 'PENDING', label: 'refused, retries left' },
  withGoneItem: { from: SETTLED, to: 'PENDING', label: 'its item was deleted on the board: created again with it' },
  dropWithGoneItem: { from: SETTLED, to: OUTSIDE, label: 'its item was deleted on the board, and staging no longer has the size' },
  retryErrors: { from: ['ERROR'], to: 'PENDING', label: 'ordersync retry' },
  requeueDrift: { from: ANY, to: 'PENDING', label: 'verify --fix: the board drifted' },
  adoptBaseline: { from: ANY, to: 'SYNCED', label: 'cutover baseline adopts a subitem showing the quantity' },
  adoptBaselineChanged: { from: ANY, to: 'PENDING', label: 'cutover baseline adopts a subitem that differs' },
  rollbackInFlight: { from: ANY, to: 'IN_FLIGHT', label: 'rollback request stored' },
  rollbackRefused: { from: ['IN_FLIGHT'], to: 'PENDING', label: 'rollback request refused' },
  resetForRollback: { from: ANY, to: 'PENDING', label: 'rollback of the run that wrote it' },
  dropForRollback: { from: ANY, to: OUTSIDE, label: 'rollback archives its item, and staging no longer has the size' },
  restoreRemoved: { from: [OUTSIDE], to: 'PENDING', label: 'rollback brings back the subitem the run removed (to be removed again)' },
  restoreArchived: { from: ANY, to: SAME, label: 'rollback brings back the item the run archived: its lines keep their state, pointing at its subitems' },
} as const satisfies Record<string, Transition>;

/** How the diagram names a from-list of every state, or of every state but IN_FLIGHT. */
export const DIAGRAM_GROUPS = { ANY: 'any state', SETTLED: 'any state but IN_FLIGHT' } as const;

/**
 * The table as mermaid stateDiagram edges, one per from-state, a full set of states drawn as
 * one edge from ANY (or SETTLED), a transition to the SAME state as a loop: what
 * docs/architecture.md shows.
 */
export function diagramEdges(table: Record<string, Transition>): string[] {
  return Object.values(table).flatMap((t) => {
    const group = ANY.every((st) => t.from.includes(st)) ? 'ANY' : SETTLED.every((st) => t.from.includes(st)) ? 'SETTLED' : undefined;
    const covered = group === 'ANY' ? ANY : group === 'SETTLED' ? SETTLED : [];
    const rest = t.from.filter((f) => !(covered as readonly Node[]).includes(f));
    return [...(group ? [group] : []), ...rest].map((f) => `${f} --> ${t.to === SAME ? f : t.to}: ${t.label}`);
  });
}

/** The from-states an UPDATE must match, or undefined when any state may take the transition. */
export function guardStates(t: Transition): SyncState[] | undefined {
  const states = t.from.filter((f): f is SyncState => f !== OUTSIDE);
  return ANY.every((s) => states.includes(s)) ? undefined : states;
}
