import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/connect.js';
import { migrateUp } from '../../src/db/migrations/index.js';
import { merge, type MergeSummary } from '../../src/merge/index.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/engines.js';
import { blankRow, order, settings, stage, TABLES, type StagedRow } from './support.js';

/**
 * Pass 2 reads staging 256 rows at a time and merges `staging.batch_size` orders per batch; the
 * engine's writer batches the statements. However the rows fall into reads and batches (a key
 * staged twice in different batches, a bad row on a read boundary, more rows than one read),
 * the tables, the counts and the rejected row numbers are the same.
 */
function day(variant: number): StagedRow[] {
  const rows = Array.from({ length: 700 }, (_, i) => order(`K-${i % 650}`, { S: (i % 7) + variant, M: i % 3 === 0 ? null : 2, XL: i % 5 === 0 ? 4 : null }));
  rows[255] = order('K-BAD', { S: 'two' });
  rows[256] = order(null, { S: 1 });
  rows[511] = blankRow();
  rows[600] = order('K-9', { L: 3 }, { 'ORDER TYPE': 'Cancelled' });
  return variant === 0 ? rows : rows.slice(0, 640);
}

const comparable = (m: MergeSummary) => ({ counts: m.counts, rejections: m.rejections, duplicates: m.duplicates.map((d) => ({ key: d.key, rows: d.rows })), vanished: m.vanishedKeys });

describe.each(ENGINES)('merge batches on %s', (engine) => {
  const runs: Array<{ t: TestDatabase; db: Db; batchSize: number }> = [];
  beforeAll(async () => {
    for (const batchSize of [2_000, 7]) {
      const t = await createTestDatabase(engine, TABLES);
      const db = await t.open();
      await migrateUp(db);
      runs.push({ t, db, batchSize });
    }
  }, 180_000);
  afterAll(async () => {
    for (const r of runs) {
      await r.db.close();
      await r.t.cleanup();
    }
  });

  const content = async (db: Db) => {
    const orders = await db.kysely.selectFrom('orders').select(['order_key', 'row_hash', 'lines_hash', 'total_qty', 'action', 'sync_state', 'staging_row', 'in_staging']).orderBy('order_key').execute();
    const lines = await db.kysely
      .selectFrom('order_lines')
      .innerJoin('orders', 'orders.id', 'order_lines.order_id')
      .select(['orders.order_key', 'order_lines.size', 'order_lines.qty', 'order_lines.action', 'order_lines.sync_state'])
      .orderBy('orders.order_key')
      .orderBy('order_lines.size')
      .execute();
    return { orders, lines };
  };

  it('two days merged in batches of 2,000 and 7 leave the same tables, counts and rejections', async () => {
    const results = [];
    for (const { db, batchSize } of runs) {
      const s = settings({ staging: { batch_size: batchSize } });
      const summaries = [];
      for (const variant of [0, 1]) {
        await stage(db.raw, day(variant));
        summaries.push(comparable(await merge(db, s)));
      }
      results.push({ summaries, tables: await content(db) });
    }
    const [reference, ...others] = results;
    expect(reference?.summaries[0]?.counts).toMatchObject({ staged_rows: 700, new: 596, duplicate_keys: 50 });
    expect(reference?.summaries[0]?.rejections.find((r) => r.rowNumber === 256)?.reason).toMatch(/column "S": quantity "two" is not a number/);
    expect(reference?.summaries[0]?.rejections.find((r) => r.rowNumber === 257)?.reason).toMatch(/empty key column/);
    expect(reference?.summaries[0]?.rejections.find((r) => r.rowNumber === 512)).toBeUndefined();
    expect(reference?.summaries[0]?.counts.blank_rows).toBe(1);
    expect(reference?.summaries[1]?.counts.vanished).toBe(10);
    expect(reference?.tables.lines.length).toBeGreaterThan(1_000);
    for (const o of others) expect(o).toEqual(reference);
  }, 180_000);
});
