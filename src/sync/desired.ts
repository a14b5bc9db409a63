import type { Selectable } from 'kysely';
import type { OrdersTable } from '../db/index.js';
import type { FieldValue } from '../merge/index.js';
import type { SyncContext } from './context.js';

/** What an order looked like on the board after its last successful sync. */
export interface SyncedOrder {
  fields: Record<string, FieldValue>;
  group: string;
  name: string;
  cancelled: boolean;
}

/** The columns of an order the sync, the planner and the baseline read. */
export const ORDER_COLUMNS = [
  'id',
  'order_key',
  'key_values',
  'fields_json',
  'synced_fields_json',
  'group_name',
  'item_name',
  'is_cancelled',
  'action',
  'monday_item_id',
  'monday_group_id',
  'retry_count',
  'customer',
] as const;

/** An order as the sync, the planner and the baseline read it. */
export type OrderRow = Pick<Selectable<OrdersTable>, (typeof ORDER_COLUMNS)[number]>;

/** The group an order belongs in: its customer-season group, or the cancelled-orders group. */
export function desiredGroup(ctx: Pick<SyncContext, 's'>, o: Pick<OrderRow, 'is_cancelled' | 'group_name'>): string {
  return o.is_cancelled === 1 && ctx.s.cancel.move_to_group ? ctx.s.cancel.move_to_group : o.group_name;
}

export function desiredState(ctx: Pick<SyncContext, 's'>, o: OrderRow): SyncedOrder {
  return {
    fields: JSON.parse(o.fields_json) as Record<string, FieldValue>,
    group: desiredGroup(ctx, o),
    name: o.item_name,
    cancelled: o.is_cancelled === 1,
  };
}

/**
 * Source values by monday column id: the mapped fields, plus the cancellation status when a
 * status column is configured (cleared, or set to active_label, on reactivation).
 */
export function columnSources(ctx: Pick<SyncContext, 's'>, d: SyncedOrder, only?: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [source, columnId] of Object.entries(ctx.s.mapping.columns)) {
    // Stamped by the write itself (items.ts), never compared or a reason to write.
    if (source === '@synced_at') continue;
    if (only && !only.has(source)) continue;
    out[columnId] = d.fields[source] ?? null;
  }
  const status = ctx.s.cancel.status_column_id;
  if (status && (!only || only.has('__cancelled'))) {
    out[status] = d.cancelled ? ctx.s.cancel.status_label : (ctx.s.cancel.active_label ?? null);
  }
  return out;
}

/** Source fields (and the pseudo-field __cancelled) whose board value differs from the desired one. */
export function changedFields(desired: SyncedOrder, synced: SyncedOrder | null): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(desired.fields)) {
    if (!synced || JSON.stringify(synced.fields[k] ?? null) !== JSON.stringify(v ?? null)) out.add(k);
  }
  if (!synced || synced.cancelled !== desired.cancelled) out.add('__cancelled');
  return out;
}
