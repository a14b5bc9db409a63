import { CompiledQuery, type Kysely } from 'kysely';
import type { Selectable } from 'kysely';
import type { DialectAdapter, RawHandle } from './adapter.js';
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
  /**
   * Staging rows per read in the merge's second pass (every needed column): as few as keep the
   * engine's cost per read small, since a read's rows are alive until all are projected.
   */
  readonly readRows: number;
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

/**
 * The merge writer for `trx`, a transaction of `Db.kysely` on an engine of `adapter`, given the
 * driver connection it runs on where the engine offers one (`Db.rawHandle`): the only place that
 * picks one. better-sqlite3 and pg get the driver itself; PGlite (or a PostgreSQL server whose
 * connection cannot be told apart) the PostgreSQL SQL through Kysely; SQL Server the query builder.
 */
export async function openMergeWriter(trx: Kysely<any>, adapter: DialectAdapter, tables: TableNames, handle?: RawHandle): Promise<MergeWriter> {
  if (handle?.driver === 'better-sqlite3') return (await import('./sqlite-merge.js')).sqliteMergeWriter(handle.database, tables);
  if (handle?.driver === 'pg') {
    const { client } = handle;
    return (await import('./postgres-merge.js')).postgresMergeWriter(
      {
        rows: async (text, values) => (await client.query(text, values as unknown[])).rows,
        arrays: async (text, values) => (await client.query({ text, values: values as unknown[], rowMode: 'array' })).rows,
      },
      tables,
    );
  }
  switch (adapter.family) {
    case 'sqlite':
      throw new Error('the SQLite merge writer needs the better-sqlite3 connection under the transaction');
    case 'postgres': {
      const { postgresMergeWriter } = await import('./postgres-merge.js');
      const rows = async (text: string, values: readonly unknown[]) => (await trx.executeQuery(CompiledQuery.raw(text, [...values]))).rows as Record<string, unknown>[];
      return postgresMergeWriter({ rows, arrays: async (text, values) => (await rows(text, values)).map((r) => Object.values(r)) }, tables);
    }
    case 'mssql':
      return (await import('./kysely-merge.js')).kyselyMergeWriter(trx, adapter);
  }
}
