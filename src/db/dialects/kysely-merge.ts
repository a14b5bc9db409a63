import { sql, type Kysely } from 'kysely';
import { ConfigError } from '../../errors.js';
import type { DialectAdapter } from './adapter.js';
import { LINE_COLUMNS, ORDER_COLUMNS, type LineOnRecord, type MergeWriter, type OrderOnRecord, type StagingQuery } from './merge-writer.js';

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The merge's writes through Kysely's query builder, for an engine without a hot loop of its
 * own (SQL Server): `trx` is a transaction of Db.kysely, so the logical table names apply, and
 * every statement stays within the engine's bound-parameter limit.
 */
export function kyselyMergeWriter(trx: Kysely<any>, adapter: DialectAdapter): MergeWriter {
  const perStatement = (columns: number) => Math.max(1, Math.floor((adapter.parameterLimit - 10) / columns));
  return {
    // Rows come back as objects here: a small read keeps them few.
    readRows: 256,
    async *readStaging(q: StagingQuery) {
      const seq = q.orderBy === null ? undefined : sql.ref(q.orderBy);
      const order = seq ? { position: seq, start: 0 as unknown, after: (v: unknown) => sql`${seq} > ${v}` } : adapter.physicalOrder;
      if (!order) throw new ConfigError(`staging table "${q.table}" was not loaded by \`ordersync ingest\`; ${adapter.engine} has no row order to read it in, so load it with ingest`);
      let after = order.start;
      for (;;) {
        const { rows } = await sql<Record<string, unknown>>`
          select ${order.position} as "__pos", ${sql.join(q.columns.map((c) => sql.id(c)))} from ${sql.table(q.table)}
          where ${order.after(after)} order by ${order.position} ${adapter.firstRows(q.batchSize)}`.execute(trx);
        if (rows.length === 0) return;
        after = rows[rows.length - 1]?.__pos;
        yield rows.map((r) => q.columns.map((c) => r[c]));
        if (rows.length < q.batchSize) return;
      }
    },
    async ordersByKey(keys) {
      const out: OrderOnRecord[] = [];
      for (const part of chunks(keys, perStatement(1))) {
        out.push(
          ...((await trx
            .selectFrom('orders')
            .select(['id', 'order_key', 'row_hash', 'lines_hash', 'is_cancelled', 'in_staging', 'action', 'sync_state', 'monday_item_id', 'pending_since'])
            .where('order_key', 'in', part)
            .execute()) as OrderOnRecord[]),
        );
      }
      return out;
    },
    async linesOf(orderIds) {
      const out: LineOnRecord[] = [];
      for (const part of chunks(orderIds, perStatement(1))) {
        out.push(...((await trx.selectFrom('order_lines').select(['id', 'order_id', 'size', 'qty', 'action', 'sync_state', 'monday_subitem_id']).where('order_id', 'in', part).execute()) as LineOnRecord[]));
      }
      return out;
    },
    async insertOrders(rows, createdAt) {
      const idOf = new Map<string, number>();
      for (const part of chunks(rows, perStatement(ORDER_COLUMNS.length + 1))) {
        const ids = await trx.insertInto('orders').values(part.map((r) => ({ ...r, created_at: createdAt }))).returning(['id', 'order_key']).execute();
        for (const r of ids) idOf.set(r.order_key as string, Number(r.id));
      }
      return rows.map((r) => idOf.get(r.order_key) as number);
    },
    async updateOrders(rows) {
      for (const u of rows) await trx.updateTable('orders').set({ ...u.row, retry_count: u.resetRetry ? 0 : undefined }).where('id', '=', u.id).execute();
    },
    async setRowHashes(rows) {
      for (const r of rows) await trx.updateTable('orders').set({ row_hash: r.row_hash }).where('id', '=', r.id).execute();
    },
    async insertLines(rows) {
      for (const part of chunks(rows, perStatement(LINE_COLUMNS.length))) await trx.insertInto('order_lines').values(part).execute();
    },
    async updateLines(rows) {
      for (const l of rows) {
        await trx.updateTable('order_lines').set({ qty: l.qty, action: l.action, sync_state: l.sync_state, retry_count: 0, updated_at: l.updated_at }).where('id', '=', l.id).execute();
      }
    },
    async deleteLines(ids) {
      for (const part of chunks(ids, perStatement(1))) await trx.deleteFrom('order_lines').where('id', 'in', part).execute();
    },
  };
}
