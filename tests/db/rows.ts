import type { Insertable } from 'kysely';
import type { OrderLinesTable, OrdersTable, SyncRunsTable } from '../../src/db/types.js';

/**
 * Minimal valid rows of ordersync's own tables, for constraint and table-name tests.
 * `overrides` is deliberately untyped: the CHECK tests put states the types forbid.
 */
export const NOW = '2026-01-01T00:00:00.000Z';

export function orderRow(key: string, overrides: Record<string, unknown> = {}): Insertable<OrdersTable> {
  return {
    order_key: key,
    key_values: JSON.stringify([key]),
    total_qty: 0,
    group_name: 'G',
    item_name: key,
    fields_json: '{}',
    row_hash: 'h',
    lines_hash: 'l',
    is_cancelled: 0,
    in_staging: 1,
    action: 'INSERT',
    sync_state: 'PENDING',
    retry_count: 0,
    created_at: NOW,
    updated_at: NOW,
    ...overrides,
  } as Insertable<OrdersTable>;
}

export function lineRow(orderId: number, size: string, overrides: Record<string, unknown> = {}): Insertable<OrderLinesTable> {
  return {
    order_id: orderId,
    size,
    size_position: 0,
    qty: 1,
    action: 'INSERT',
    sync_state: 'PENDING',
    retry_count: 0,
    created_at: NOW,
    updated_at: NOW,
    ...overrides,
  } as Insertable<OrderLinesTable>;
}

export function runRow(overrides: Record<string, unknown> = {}): Insertable<SyncRunsTable> {
  return {
    env: 'test',
    command: 'run',
    started_at: NOW,
    status: 'RUNNING',
    counts_json: '{}',
    requests: 0,
    mutations: 0,
    complexity_used: 0,
    rate_limit_waits: 0,
    retries: 0,
    ...overrides,
  } as Insertable<SyncRunsTable>;
}
