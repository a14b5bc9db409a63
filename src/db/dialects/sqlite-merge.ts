import type { Database, Statement } from 'better-sqlite3';
import type { TableNames } from '../table-names.js';
import {
  LINE_COLUMNS,
  ORDER_COLUMNS,
  quoteId,
  quoteTable,
  type LineOnRecord,
  type LineRow,
  type LineUpdate,
  type MergeWriter,
  type OrderOnRecord,
  type OrderRow,
  type OrderUpdate,
  type StagingQuery,
} from './merge-writer.js';

/** Keys or ids per `in (…)` lookup: far below SQLite's 32,766 bound parameters. */
const LOOKUP_CHUNK = 500;

const ORDER_ON_RECORD = ['id', 'order_key', 'row_hash', 'lines_hash', 'is_cancelled', 'in_staging', 'action', 'sync_state', 'monday_item_id', 'pending_since'].map(quoteId).join(', ');
const LINE_ON_RECORD = ['id', 'order_id', 'size', 'qty', 'action', 'sync_state', 'monday_subitem_id'].map(quoteId).join(', ');

/**
 * better-sqlite3 on the merge's transaction: every statement prepared once per merge, staging
 * rows fetched as arrays, one row per execution (SQLite runs in-process: a call costs
 * microseconds, so batching statements buys nothing but parameter-limit bookkeeping).
 */
export function sqliteMergeWriter(db: Database, tables: TableNames): MergeWriter {
  const orders = quoteId(tables.orders);
  const lines = quoteId(tables.order_lines);
  const cache = new Map<string, Statement>();
  const prepare = (text: string): Statement => {
    let s = cache.get(text);
    if (!s) cache.set(text, (s = db.prepare(text)));
    return s;
  };
  const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');
  const lookup = <T>(text: (marks: string) => string, values: readonly unknown[]): T[] => {
    const out: T[] = [];
    for (let i = 0; i < values.length; i += LOOKUP_CHUNK) {
      const part = values.slice(i, i + LOOKUP_CHUNK);
      for (const r of prepare(text(marks(part.length))).all(part)) out.push(r as T);
    }
    return out;
  };

  const insertOrder = prepare(`insert into ${orders} (${ORDER_COLUMNS.map(quoteId).join(', ')}, created_at) values (${marks(ORDER_COLUMNS.length + 1)})`);
  const updateOrder = prepare(
    `update ${orders} set ${ORDER_COLUMNS.map((c) => `${quoteId(c)} = ?`).join(', ')}, retry_count = case when ? then 0 else retry_count end where id = ?`,
  );
  const insertLine = prepare(`insert into ${lines} (${LINE_COLUMNS.map(quoteId).join(', ')}) values (${marks(LINE_COLUMNS.length)})`);

  return {
    // A read costs microseconds in-process, so reads this small die in the young generation
    // instead of being promoted with the whole batch: peak RSS stays flat however large staging is.
    readRows: 256,
    async *readStaging(q: StagingQuery) {
      const table = quoteTable(q.table);
      const select = `select ${q.columns.map(quoteId).join(', ')}, rowid from ${table}`;
      if (q.orderBy === null) {
        const read = prepare(`${select} where rowid > ? order by rowid limit ?`).raw(true);
        const at = q.columns.length;
        let after: unknown = 0;
        for (;;) {
          const rows = read.all(after, q.batchSize) as unknown[][];
          if (rows.length === 0) return;
          after = rows[rows.length - 1]?.[at];
          yield rows;
          if (rows.length < q.batchSize) return;
        }
      }
      // The order column has no index, so a keyset query per batch would sort the whole table
      // each time: the rowids are sorted once, then rows are fetched by rowid. (better-sqlite3
      // runs nothing else on a connection while a statement iterates, and the merge writes
      // between batches.)
      const order = prepare(`select rowid from ${table} order by ${quoteId(q.orderBy)}, rowid`).pluck(true).all() as number[];
      const step = Math.min(q.batchSize, LOOKUP_CHUNK);
      for (let i = 0; i < order.length; i += step) {
        const ids = order.slice(i, i + step);
        const place = new Map(ids.map((id, k) => [id, k]));
        const rows: unknown[][] = new Array(ids.length);
        for (const r of prepare(`${select} where rowid in (${marks(ids.length)})`).raw(true).all(ids) as unknown[][]) rows[place.get(r[q.columns.length] as number) as number] = r;
        yield rows;
      }
    },
    async ordersByKey(keys) {
      return lookup<OrderOnRecord>((m) => `select ${ORDER_ON_RECORD} from ${orders} where order_key in (${m})`, keys);
    },
    async linesOf(orderIds) {
      return lookup<LineOnRecord>((m) => `select ${LINE_ON_RECORD} from ${lines} where order_id in (${m})`, orderIds);
    },
    async insertOrders(rows: readonly OrderRow[], createdAt: string) {
      return rows.map((r) => Number(insertOrder.run(...ORDER_COLUMNS.map((c) => r[c]), createdAt).lastInsertRowid));
    },
    async updateOrders(rows: readonly OrderUpdate[]) {
      for (const u of rows) updateOrder.run(...ORDER_COLUMNS.map((c) => u.row[c]), u.resetRetry ? 1 : 0, u.id);
    },
    async setRowHashes(rows) {
      const set = prepare(`update ${orders} set row_hash = ? where id = ?`);
      for (const r of rows) set.run(r.row_hash, r.id);
    },
    async insertLines(rows: readonly LineRow[]) {
      for (const l of rows) insertLine.run(l.order_id, l.size, l.size_position, l.qty, l.action, l.sync_state, l.created_at, l.updated_at);
    },
    async updateLines(rows: readonly LineUpdate[]) {
      const set = prepare(`update ${lines} set qty = ?, "action" = ?, sync_state = ?, retry_count = 0, updated_at = ? where id = ?`);
      for (const l of rows) set.run(l.qty, l.action, l.sync_state, l.updated_at, l.id);
    },
    async deleteLines(ids) {
      const del = prepare(`delete from ${lines} where id = ?`);
      for (const id of ids) del.run(id);
    },
  };
}
