import type { Kysely, Updateable } from 'kysely';
import type { Database, OrderLinesTable, OrdersTable, SyncState } from '../db/index.js';
import { guardStates, LINE_TRANSITIONS, ORDER_TRANSITIONS, SAME, type OUTSIDE } from './transitions.js';

export type K = Kysely<Database>;
type Moving<T extends Record<string, { to: string }>> = { [N in keyof T]: T[N]['to'] extends SyncState | typeof SAME ? N : never }[keyof T];
type Deleting<T extends Record<string, { to: string }>> = { [N in keyof T]: T[N]['to'] extends typeof OUTSIDE ? N : never }[keyof T];
export type OrderMove = Moving<typeof ORDER_TRANSITIONS>;
export type LineMove = Moving<typeof LINE_TRANSITIONS>;
export type LineDrop = Deleting<typeof LINE_TRANSITIONS>;
export type OrderColumns = Omit<Updateable<OrdersTable>, 'sync_state' | 'id'>;
export type LineColumns = Omit<Updateable<OrderLinesTable>, 'sync_state' | 'id'>;

/** Which rows a transition applies to: by id, all of an order's lines (one size of it), or every row in a from-state. */
export type OrderTarget = readonly number[] | 'all';
export type LineTarget = { ids: readonly number[] } | { orderId: number; size?: string } | 'all';

/** The state a transition writes: none when it leaves rows in the state they are in. */
const stateOf = (t: { to: SyncState | typeof SAME }) => (t.to === SAME ? {} : { sync_state: t.to });

/**
 * The one UPDATE of `orders` state: the transition's to-state, matched only on rows in one of
 * its from-states, so no writer can move a row along an edge the table does not have.
 */
export async function moveOrders(k: K, name: OrderMove, ids: OrderTarget, set: OrderColumns): Promise<void> {
  if (ids !== 'all' && ids.length === 0) return;
  const t = ORDER_TRANSITIONS[name];
  let q = k.updateTable('orders').set({ ...set, ...stateOf(t) });
  if (ids !== 'all') q = q.where('id', 'in', ids);
  const guard = guardStates(t);
  if (guard) q = q.where('sync_state', 'in', guard);
  await q.execute();
}

export async function moveLines(k: K, name: LineMove, target: LineTarget, set: LineColumns): Promise<void> {
  if (target !== 'all' && 'ids' in target && target.ids.length === 0) return;
  const t = LINE_TRANSITIONS[name];
  let q = k.updateTable('order_lines').set({ ...set, ...stateOf(t) });
  if (target !== 'all') q = 'ids' in target ? q.where('id', 'in', target.ids) : q.where('order_id', '=', target.orderId);
  if (target !== 'all' && 'size' in target && target.size !== undefined) q = q.where('size', '=', target.size);
  const guard = guardStates(t);
  if (guard) q = q.where('sync_state', 'in', guard);
  await q.execute();
}

/** The one DELETE of lines, for the transitions that end a line. */
export async function dropLines(k: K, name: LineDrop, target: Exclude<LineTarget, 'all'>, only?: { qty: number }): Promise<void> {
  if ('ids' in target && target.ids.length === 0) return;
  let q = k.deleteFrom('order_lines');
  q = 'ids' in target ? q.where('id', 'in', target.ids) : q.where('order_id', '=', target.orderId);
  if (only) q = q.where('qty', '=', only.qty);
  const guard = guardStates(LINE_TRANSITIONS[name]);
  if (guard) q = q.where('sync_state', 'in', guard);
  await q.execute();
}

/** Columns that go with leaving IN_FLIGHT: the request's key no longer stands for the row. */
export const OUT_OF_FLIGHT = { idempotency_key: null, in_flight_since: null } as const;
