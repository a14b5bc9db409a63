import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { Selectable } from 'kysely';
import type { DialectAdapter } from './adapter.js';
import type { TableNames } from '../table-names.js';
import type { OrderLinesTable, OrdersTable } from '../types.js';

/** What the merge reads of an order on record to decide its transition. */
export type OrderOnRecord = Pick<
  Selectable<OrdersTable>,
  'id' | 'order_key' | 'row_hash' | 'lines_hash' | 'is_cancelled' | 'in_staging' | 'action' | 'sync_state' | 'monday_item_id' | 'pending_since'
>;

/** What the merge reads of a line on record to diff it by size. */
export type LineOnRecord = Pick<Selectable<OrderLinesTable>, 'id' | 'order_id' | 'size' | 'qty' | 'action' | 'sync_state' | 'monday_subitem_id'>;

/** Every column the merge writes on an order, in ORDER_COLUMNS order. */
export type OrderRow = Pick<
  Selectable<OrdersTable>,
  | 'order_key'
  | 'key_values'
  | 'customer'
  | 'customer_season'
  | 'aag_season'
  | 'order_type'
  | 'total_qty'
  | 'group_name'
  | 'item_name'
  | 'fields_json'
  | 'row_hash'
  | 'lines_hash'
  | 'is_cancelled'
  | 'in_staging'
  | 'action'
  | 'sync_state'
  | 'pending_since'
  | 'staging_row'
  | 'last_run_id'
  | 'updated_at'
>;

export const ORDER_COLUMNS = [
  'order_key',
  'key_values',
  'customer',
  'customer_season',
  'aag_season',
  'order_type',
  'total_qty',
  'group_name',
  'item_name',
  'fields_json',
  'row_hash',
  'lines_hash',
  'is_cancelled',
  'in_staging',
  'action',
  'sync_state',
  'pending_since',
  'staging_row',
  'last_run_id',
  'updated_at',
] as const satisfies ReadonlyArray<keyof OrderRow>;

/** An order on record rewritten: every merge column, and its retry count reset when it is queued again. */
export interface OrderUpdate {
  id: number;
  row: OrderRow;
  resetRetry: boolean;
}

export type LineRow = Pick<Selectable<OrderLinesTable>, 'order_id' | 'size' | 'size_position' | 'qty' | 'action' | 'sync_state' | 'created_at' | 'updated_at'>;

export const LINE_COLUMNS = ['order_id', 'size', 'size_position', 'qty', 'action', 'sync_state', 'created_at', 'updated_at'] as const satisfies ReadonlyArray<keyof LineRow>;

/** A line on record requeued (its retry count reset). */
export type LineUpdate = Pick<Selectable<OrderLinesTable>, 'id' | 'qty' | 'action' | 'sync_state' | 'updated_at'>;

export interface StagingQuery {
  table: string;
  /** Columns to read; each batch row holds their values in this order (and possibly more after them). */
  columns: readonly string[];
  /** Column giving the read order (keyset), or null for the table's physical order. */
  orderBy: string | null;
  batchSize: number;
}

/**
 * The merge's hot loop, per engine: staging read as arrays (no per-row objects), and the
 * order and line writes as statements prepared once (SQLite) or one statement per batch
 * (PostgreSQL). Everything runs on the merge's own transaction.
 */
export interface MergeWriter {
  readStaging(q: StagingQuery): AsyncGenerator<unknown[][]>;
  ordersByKey(keys: readonly string[]): Promise<OrderOnRecord[]>;
  linesOf(orderIds: readonly number[]): Promise<LineOnRecord[]>;
  /** Ids of the inserted orders, in the order given. */
  insertOrders(rows: readonly OrderRow[], createdAt: string): Promise<number[]>;
  updateOrders(rows: readonly OrderUpdate[]): Promise<void>;
  setRowHashes(rows: ReadonlyArray<{ id: number; row_hash: string }>): Promise<void>;
  insertLines(rows: readonly LineRow[]): Promise<void>;
  updateLines(rows: readonly LineUpdate[]): Promise<void>;
  deleteLines(ids: readonly number[]): Promise<void>;
}

/** A SQL identifier quoted for SQLite and PostgreSQL alike. */
export function quoteId(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A table name quoted as Kysely's `sql.table` does: "schema.table" names a table in a schema. */
export function quoteTable(name: string): string {
  if (!name.includes('.')) return quoteId(name);
  const [schema = '', table = ''] = name.split('.').map((p) => p.trim());
  return `${quoteId(schema)}.${quoteId(table)}`;
}

const PROBE = "select 'ordersync merge writer' as probe";

/**
 * The driver object Kysely runs `trx` on. Kysely keeps its connection private, and the hot loop
 * must run on the transaction's own connection (a second connection would not see its writes
 * and would wait on its lock), so the driver method Kysely calls is watched for one probe query.
 */
async function driverOf(trx: Kysely<any>, proto: Record<string, any>, method: string): Promise<unknown> {
  const original = proto[method] as (...args: unknown[]) => unknown;
  const found: unknown[] = [];
  proto[method] = function (this: unknown, ...args: unknown[]) {
    if (args[0] === PROBE) found.push(this);
    return original.apply(this, args);
  };
  try {
    await sql.raw(PROBE).execute(trx);
  } finally {
    proto[method] = original;
  }
  return found[0];
}

/**
 * The merge writer for `trx`, a transaction of `Db.kysely` on an engine of `adapter`: the only
 * place that picks one. SQLite and the PostgreSQL server get the driver itself; PGlite the
 * PostgreSQL SQL through Kysely; SQL Server the query builder.
 */
export async function openMergeWriter(trx: Kysely<any>, adapter: DialectAdapter, tables: TableNames): Promise<MergeWriter> {
  switch (adapter.family) {
    case 'sqlite': {
      const [{ default: Database }, { sqliteMergeWriter }] = await Promise.all([import('better-sqlite3'), import('./sqlite-merge.js')]);
      const database = await driverOf(trx, Database.prototype, 'prepare');
      if (!(database instanceof Database)) throw new Error('the SQLite merge writer found no better-sqlite3 connection under the transaction');
      return sqliteMergeWriter(database, tables);
    }
    case 'postgres': {
      const { postgresMergeWriter } = await import('./postgres-merge.js');
      if (adapter.name === 'postgres') {
        const { default: pg } = await import('pg');
        const client = await driverOf(trx, pg.Client.prototype, 'query');
        if (client instanceof pg.Client) {
          return postgresMergeWriter(
            {
              rows: async (text, values) => (await client.query(text, values as unknown[])).rows,
              arrays: async (text, values) => (await client.query({ text, values: values as unknown[], rowMode: 'array' })).rows,
            },
            tables,
          );
        }
      }
      // PGlite (tests, rehearsals), or a pool from another copy of pg: the same SQL through Kysely.
      const rows = async (text: string, values: readonly unknown[]) => (await trx.executeQuery(CompiledQuery.raw(text, [...values]))).rows as Record<string, unknown>[];
      return postgresMergeWriter({ rows, arrays: async (text, values) => (await rows(text, values)).map((r) => Object.values(r)) }, tables);
    }
    case 'mssql':
      return (await import('./kysely-merge.js')).kyselyMergeWriter(trx, adapter);
  }
}
