import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/connect.js';
import { migrateUp } from '../../src/db/migrations/index.js';
import { merge } from '../../src/merge/index.js';
import { createTestDatabase, type EngineName, type TestDatabase } from '../support/engines.js';
import { MAPPING, TABLES, clearOrders, dumpTables, order, settings, stage, type StagedRow } from './support.js';

/**
 * Random days of staging over a small key space, so that every edit happens: new orders,
 * quantity changes, sizes added and removed, cancellations (either spelling) and
 * reactivations, duplicate keys (also through surrounding blanks), empty keys, vanished and
 * returning orders. Between days a random subset of orders is "synced" by hand.
 * After every merge: (a) merging again changes nothing; (b) the tables equal a projection of
 * the staging rows computed here, independently of src/merge/project.ts; (c) an order whose
 * content did not change is not written at all, one whose content changed is queued.
 */

const SIZES = ['S', 'M', 'L'] as const;
const KEYS = ['A-1', 'A-2', 'A-3', 'A-4', ' A-1 ', '', null] as const;

interface RowSpec {
  key: string | null;
  sizes: Array<number | null>;
  type: string;
  season: string | null;
  po: string;
}

const rowSpec: fc.Arbitrary<RowSpec> = fc.record({
  key: fc.constantFrom(...KEYS),
  sizes: fc.array(fc.constantFrom(null, 0, 1, 2, 7), { minLength: 3, maxLength: 3 }),
  type: fc.constantFrom('RECEIVED', 'RECEIVED', 'FORECAST', 'CANCELLED', 'Cancelled'),
  season: fc.constantFrom('2025 FALL', '2026 SPRING', null),
  po: fc.constantFrom('P1', 'P2'),
});

const scenario = fc.record({
  duplicate_policy: fc.constantFrom('error', 'first', 'last'),
  never_synced: fc.constantFrom('skip', 'create'),
  vanished_policy: fc.constantFrom('leave', 'archive'),
  days: fc.array(
    fc.record({ rows: fc.array(rowSpec, { maxLength: 7 }), sync: fc.subarray(['A-1', 'A-2', 'A-3', 'A-4']) }),
    { minLength: 1, maxLength: 5 },
  ),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function toRow(r: RowSpec): StagedRow {
  const sizes = Object.fromEntries(SIZES.map((s, i) => [s, r.sizes[i] ?? null]));
  return order(r.key, sizes, { 'ORDER TYPE': r.type, 'CUSTOMER SEASON': r.season, 'PO NUMBER': r.po });
}

interface Content {
  fields: Record<string, string | null>;
  group_name: string;
  item_name: string;
  is_cancelled: number;
  total_qty: number;
  lines: Record<string, number>;
}
interface ModelOrder {
  content: Content;
  in_staging: number;
}

const blank = (v: unknown) => v === null || v === undefined || String(v).trim() === '';
const text = (v: unknown) => (blank(v) ? null : String(v).trim());

/** What one staged row should become, written from the spec rather than from project.ts. */
function expectedContent(row: StagedRow): Content {
  const fields = Object.fromEntries(Object.keys(MAPPING).map((c) => [c, text(row[c])]));
  const customer = text(row['CUSTOMER NAME']);
  const season = text(row['CUSTOMER SEASON']) ?? text(row['AAG SEASON']);
  const lines: Record<string, number> = {};
  for (const s of SIZES) if (Number(row[s] ?? 0) > 0) lines[s] = Number(row[s]);
  return {
    fields,
    group_name: customer && season ? `${customer} ${season}` : 'UNASSIGNED',
    item_name: [row['CUSTOMER STYLE'], row['CUSTOMER COLOUR DESCRIPTION'], text(row['AAG ORDER NUMBER'])].join(' '),
    is_cancelled: String(row['ORDER TYPE']).toLowerCase() === 'cancelled' ? 1 : 0,
    total_qty: Object.values(lines).reduce((a, b) => a + b, 0),
    lines,
  };
}

/** The model after one load: which keys merge, which rows are rejected, who vanished. */
function applyDay(model: Map<string, ModelOrder>, rows: StagedRow[], policy: string): { rejectedRows: number[] } {
  const byKey = new Map<string, number[]>();
  const rejectedRows: number[] = [];
  rows.forEach((row, i) => {
    const key = text(row['AAG ORDER NUMBER']);
    if (key === null) rejectedRows.push(i + 1);
    else byKey.set(key, [...(byKey.get(key) ?? []), i + 1]);
  });
  for (const [key, numbers] of byKey) {
    let chosen: number | undefined = numbers[0];
    if (numbers.length > 1) {
      chosen = policy === 'first' ? numbers[0] : policy === 'last' ? numbers[numbers.length - 1] : undefined;
      rejectedRows.push(...numbers.filter((n) => n !== chosen));
    }
    if (chosen !== undefined) model.set(key, { content: expectedContent(rows[chosen - 1] as StagedRow), in_staging: 1 });
  }
  for (const [key, o] of model) if (!byKey.has(key)) o.in_staging = 0;
  return { rejectedRows: rejectedRows.sort((a, b) => a - b) };
}

async function actual(db: Db) {
  const orders = await db.kysely.selectFrom('orders').selectAll().execute();
  const lines = await db.kysely.selectFrom('order_lines').selectAll().execute();
  return new Map(
    orders.map((o) => {
      const mine = lines.filter((l) => l.order_id === o.id);
      return [
        o.order_key,
        {
          row: o,
          lines: mine,
          model: {
            content: {
              fields: JSON.parse(o.fields_json) as Record<string, string | null>,
              group_name: o.group_name,
              item_name: o.item_name,
              is_cancelled: Number(o.is_cancelled),
              total_qty: Number(o.total_qty),
              lines: Object.fromEntries(mine.filter((l) => Number(l.qty) > 0).map((l) => [l.size, Number(l.qty)])),
            },
            in_staging: Number(o.in_staging),
          } satisfies ModelOrder,
        },
      ];
    }),
  );
}

/** What a successful sync leaves behind for the chosen orders (skipped orders are not sent). */
async function syncSome(db: Db, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  const orders = await db.kysely.selectFrom('orders').selectAll().where('order_key', 'in', keys).execute();
  for (const o of orders) {
    if (o.sync_state === 'SKIPPED') continue;
    if (o.sync_state === 'PENDING') {
      await db.kysely
        .updateTable('orders')
        .set({ sync_state: 'SYNCED', action: 'NONE', monday_item_id: o.monday_item_id ?? `item-${o.id}`, pending_since: null })
        .where('id', '=', o.id)
        .execute();
    }
    const lines = await db.kysely.selectFrom('order_lines').selectAll().where('order_id', '=', o.id).where('sync_state', '=', 'PENDING').execute();
    for (const l of lines) {
      await db.kysely
        .updateTable('order_lines')
        .set({ sync_state: 'SYNCED', action: 'NONE', monday_subitem_id: l.monday_subitem_id ?? `sub-${l.id}`, synced_qty: l.qty })
        .where('id', '=', l.id)
        .execute();
    }
  }
}

async function check(db: Db, sc: Scenario): Promise<void> {
  await clearOrders(db);
  const s = settings({
    staging: { duplicate_policy: sc.duplicate_policy, vanished_policy: sc.vanished_policy },
    cancel: { never_synced: sc.never_synced },
  });
  const model = new Map<string, ModelOrder>();
  for (const day of sc.days) {
    const rows = day.rows.map(toRow);
    await stage(db.raw, rows);
    const before = await actual(db);
    const previous = new Map([...model].map(([k, v]) => [k, structuredClone(v)]));
    const { rejectedRows } = applyDay(model, rows, sc.duplicate_policy);

    const m = await merge(db, s);
    expect(m.rejections.map((r) => r.rowNumber)).toEqual(rejectedRows);
    expect(m.counts.rejected).toBe(rejectedRows.length);

    // (b) the tables are the projection of what was staged (and what was staged before).
    const after = await actual(db);
    expect(new Map([...after].map(([k, v]) => [k, v.model]))).toEqual(model);
    for (const [key, o] of after) {
      for (const l of o.lines.filter((x) => Number(x.qty) === 0)) {
        // A size kept at 0 only stands for a subitem to zero or remove.
        expect(l.monday_subitem_id, `${key} ${l.size}`).not.toBeNull();
      }
      // (c) only what changed is written; what changed is queued.
      const prev = previous.get(key);
      const was = before.get(key);
      if (prev && was && prev.in_staging === 1 && JSON.stringify(prev) === JSON.stringify(model.get(key))) {
        expect(o.row, key).toEqual(was.row);
        expect(o.lines, key).toEqual(was.lines);
      } else if (model.get(key)?.in_staging === 1 && (!prev || JSON.stringify(prev.content) !== JSON.stringify(model.get(key)?.content))) {
        const queued =
          ['PENDING', 'SKIPPED'].includes(o.row.sync_state) || o.lines.some((l) => ['PENDING', 'SKIPPED'].includes(l.sync_state));
        expect(queued, `${key} changed but nothing is queued`).toBe(true);
      }
      if (o.row.monday_item_id === null && o.row.is_cancelled === 1 && o.row.in_staging === 1) {
        expect(o.row.sync_state).toBe(sc.never_synced === 'skip' ? 'SKIPPED' : 'PENDING');
      }
    }

    // (a) merging the same staging again changes nothing.
    const dump = await dumpTables(db);
    const again = await merge(db, s);
    expect(again.counts.rows_written).toBe(0);
    expect(again.counts.vanished).toBe(0);
    expect(await dumpTables(db)).toEqual(dump);

    await syncSome(db, day.sync);
  }
}

function suite(engine: EngineName, numRuns: number) {
  describe(`merge properties on ${engine}`, () => {
    let t: TestDatabase;
    let db: Db;
    beforeAll(async () => {
      t = await createTestDatabase(engine, TABLES);
      db = await t.open();
      await migrateUp(db);
    });
    afterAll(async () => {
      await db?.close();
      await t?.cleanup();
    });
    it('re-merge is a no-op and the tables equal the projection of staging', async () => {
      await fc.assert(
        fc.asyncProperty(scenario, (sc) => check(db, sc)),
        { numRuns, seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined },
      );
    });
  });
}

suite('sqlite', 150);
suite('pglite', 15);
