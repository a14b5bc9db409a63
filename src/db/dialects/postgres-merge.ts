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

/** Runs a statement on the merge's transaction: rows as objects, or as arrays in column order. */
export interface PgRunner {
  rows(text: string, values: readonly unknown[]): Promise<Record<string, unknown>[]>;
  arrays(text: string, values: readonly unknown[]): Promise<unknown[][]>;
}

/** Rows per statement: each column travels as one array parameter, so no parameter limit applies. */
const ROWS_PER_STATEMENT = 5_000;

const INTEGER_COLUMNS = new Set<string>(['total_qty', 'is_cancelled', 'in_staging', 'staging_row', 'last_run_id', 'order_id', 'size_position', 'qty']);
const arrayType = (c: string) => (INTEGER_COLUMNS.has(c) ? 'int[]' : 'text[]');
const ORDER_ON_RECORD = ['id', 'order_key', 'row_hash', 'lines_hash', 'is_cancelled', 'in_staging', 'action', 'sync_state', 'monday_item_id', 'pending_since'].map(quoteId).join(', ');
const LINE_ON_RECORD = ['id', 'order_id', 'size', 'qty', 'action', 'sync_state', 'monday_subitem_id'].map(quoteId).join(', ');

/** One array parameter per column: `unnest($1::int[], $2::text[], …)`. */
function unnest(types: readonly string[], from = 1): string {
  return `unnest(${types.map((t, i) => `$${i + from}::${t}`).join(', ')})`;
}

function columnsOf<T>(rows: readonly T[], pick: ReadonlyArray<(r: T) => unknown>): unknown[][] {
  return pick.map((get) => rows.map(get));
}

async function inParts<T>(rows: readonly T[], run: (part: readonly T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) await run(rows.slice(i, i + ROWS_PER_STATEMENT));
}

/**
 * PostgreSQL (server or PGlite) on the merge's transaction: each batch of writes is one
 * statement whose columns are array parameters unnested server-side, so a batch costs one
 * round trip and no per-statement parameter bookkeeping; staging rows come back as arrays.
 */
export function postgresMergeWriter(db: PgRunner, tables: TableNames): MergeWriter {
  const orders = quoteId(tables.orders);
  const lines = quoteId(tables.order_lines);
  const orderColumns = ORDER_COLUMNS.map(quoteId).join(', ');
  let cursors = 0;

  return {
    // Each read is a round trip that wakes the server: 256-row reads cost the merge 8× the
    // fetches of a batch-sized one, and on a busy machine each wake-up is a scheduling delay.
    readRows: 2_000,
    async *readStaging(q: StagingQuery) {
      // One scan through a cursor: a keyset query per batch (`where ctid > $1 order by ctid limit n`)
      // re-reads and re-sorts the rest of the table every time. Without an order column the rows
      // come in physical order: a cursor is never parallel, and no synchronized scan may start it
      // mid-table.
      const cursor = `ordersync_merge_staging_${++cursors}`;
      if (q.orderBy === null) await db.rows('set local synchronize_seqscans = off', []);
      const select = `select ${q.columns.map((c, i) => `${quoteId(c)} as "c${i}"`).join(', ')} from ${quoteTable(q.table)}`;
      await db.rows(`declare ${cursor} no scroll cursor for ${select}${q.orderBy === null ? '' : ` order by ${quoteId(q.orderBy)}`}`, []);
      // The next fetch is sent before this one's rows are merged, so the server reads ahead while
      // the merge projects and writes (the client runs its statements in order on the connection).
      const fetch = () => db.arrays(`fetch forward ${Math.trunc(q.batchSize)} from ${cursor}`, []);
      let next: Promise<unknown[][]> | undefined = fetch();
      try {
        while (next) {
          const rows: unknown[][] = await next;
          next = rows.length < q.batchSize ? undefined : fetch();
          if (rows.length > 0) yield rows;
        }
      } finally {
        // Stopped early (the merge failed): the fetch in flight must not fail unobserved.
        await next?.catch(() => undefined);
      }
      await db.rows(`close ${cursor}`, []);
    },
    async ordersByKey(keys) {
      return (await db.rows(`select ${ORDER_ON_RECORD} from ${orders} where order_key = any($1::text[])`, [keys])) as unknown as OrderOnRecord[];
    },
    async linesOf(orderIds) {
      return (await db.rows(`select ${LINE_ON_RECORD} from ${lines} where order_id = any($1::int[])`, [orderIds])) as unknown as LineOnRecord[];
    },
    async insertOrders(rows: readonly OrderRow[], createdAt: string) {
      const idOf = new Map<string, number>();
      const text =
        `insert into ${orders} (${orderColumns}, created_at) select u.*, $${ORDER_COLUMNS.length + 1}::text ` +
        `from ${unnest(ORDER_COLUMNS.map(arrayType))} as u returning id, order_key`;
      await inParts(rows, async (part) => {
        const values = columnsOf(part, ORDER_COLUMNS.map((c) => (r: OrderRow) => r[c]));
        for (const r of await db.rows(text, [...values, createdAt])) idOf.set(r.order_key as string, Number(r.id));
      });
      return rows.map((r) => idOf.get(r.order_key) as number);
    },
    async updateOrders(rows: readonly OrderUpdate[]) {
      const types = ['int[]', ...ORDER_COLUMNS.map(arrayType), 'boolean[]'];
      const names = ['id', ...ORDER_COLUMNS, 'reset_retry'].map(quoteId).join(', ');
      const text =
        `update ${orders} o set ${ORDER_COLUMNS.map((c) => `${quoteId(c)} = v.${quoteId(c)}`).join(', ')}, ` +
        `retry_count = case when v.reset_retry then 0 else o.retry_count end from ${unnest(types)} as v(${names}) where o.id = v.id`;
      await inParts(rows, async (part) => {
        const values = columnsOf(part, [(u: OrderUpdate) => u.id, ...ORDER_COLUMNS.map((c) => (u: OrderUpdate) => u.row[c]), (u: OrderUpdate) => u.resetRetry]);
        await db.rows(text, values);
      });
    },
    async setRowHashes(rows) {
      const text = `update ${orders} o set row_hash = v.h from ${unnest(['int[]', 'text[]'])} as v(id, h) where o.id = v.id`;
      await inParts(rows, async (part) => void (await db.rows(text, columnsOf(part, [(r) => r.id, (r) => r.row_hash]))));
    },
    async insertLines(rows: readonly LineRow[]) {
      const text = `insert into ${lines} (${LINE_COLUMNS.map(quoteId).join(', ')}) select * from ${unnest(LINE_COLUMNS.map(arrayType))}`;
      await inParts(rows, async (part) => void (await db.rows(text, columnsOf(part, LINE_COLUMNS.map((c) => (l: LineRow) => l[c])))));
    },
    async updateLines(rows: readonly LineUpdate[]) {
      const text =
        `update ${lines} l set qty = v.qty, "action" = v.a, sync_state = v.s, retry_count = 0, updated_at = v.t ` +
        `from ${unnest(['int[]', 'int[]', 'text[]', 'text[]', 'text[]'])} as v(id, qty, a, s, t) where l.id = v.id`;
      await inParts(rows, async (part) => {
        await db.rows(text, columnsOf(part, [(l) => l.id, (l) => l.qty, (l) => l.action, (l) => l.sync_state, (l) => l.updated_at]));
      });
    },
    async deleteLines(ids) {
      await inParts(ids, async (part) => void (await db.rows(`delete from ${lines} where id = any($1::int[])`, [part])));
    },
  };
}
