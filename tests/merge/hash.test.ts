import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsSchema, type Settings } from '../../src/config/schema.js';
import type { Db } from '../../src/db/connect.js';
import { migrateUp } from '../../src/db/migrations/index.js';
import { boardRowHasher, type ValueFormatter } from '../../src/merge/board-values.js';
import { canonicalJson, merge, sha256, type FieldValue } from '../../src/merge/index.js';
import { createTestDatabase, type TestDatabase } from '../support/engines.js';
import { order, settings, stage, TABLES } from './support.js';

/**
 * The row hash as defined when migration 003 introduced it: SHA-256 of canonical JSON of
 * `{ v: 2, columns, name, group, cancelled }`, each mapped value formatted for its column.
 * Stored hashes were taken under this definition; any other bytes would requeue every order.
 * Board-owned columns (mapping.owners) are left out: they are written at creation only.
 */
function definedRowHash(s: Settings, format: ValueFormatter | undefined, row: { fields: Record<string, FieldValue>; itemName: string; groupName: string; cancelled: boolean }): string {
  const asWritten = format ?? ((_id: string, v: FieldValue) => v);
  const written: Record<string, unknown> = {};
  for (const [source, columnId] of Object.entries(s.mapping.columns)) {
    if (source === '@synced_at' || s.mapping.owners[columnId] === 'board') continue;
    written[columnId] = asWritten(columnId, row.fields[source] ?? null);
  }
  const status = s.cancel.status_column_id;
  if (status) written[status] = asWritten(status, row.cancelled ? s.cancel.status_label : (s.cancel.active_label ?? null));
  const group = row.cancelled && s.cancel.move_to_group ? s.cancel.move_to_group : row.groupName;
  return sha256(canonicalJson({ v: 2, columns: written, name: row.itemName, group, cancelled: row.cancelled }));
}

const text = fc.string({ unit: fc.constantFrom('a', 'B', '1', '_', 'é', '"', '\\', '\u2028', '😀', ' '), maxLength: 6 });
const value: fc.Arbitrary<FieldValue> = fc.oneof(fc.constant(null), text, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean());

describe('row hash', () => {
  it('the compiled hasher gives the bytes of the defined row hash for any mapping, status setting and formatter', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.oneof(text.filter((t) => t !== '' && !t.startsWith('@')), fc.constantFrom('@total_qty', '@synced_at', '@state')), fc.constantFrom('c1', 'c2', '10', '2', 'b', 'a"x', 'status'), { maxKeys: 6 }),
        fc.record({ status: fc.option(fc.constantFrom('status', 'c1', 'z')), active: fc.option(text), move: fc.option(text.filter((t) => t !== '')), boardOwned: fc.subarray(['c1', '10', 'b']) }),
        fc.constantFrom('none', 'label', 'object'),
        fc.dictionary(text, value),
        fc.record({ itemName: text, groupName: text, cancelled: fc.boolean() }),
        (columns, cancel, formatting, staged, names) => {
          const s = settingsSchema.parse({
            mapping: { columns, owners: Object.fromEntries(cancel.boardOwned.filter((id) => (Object.values(columns) as string[]).includes(id)).map((id) => [id, 'board'])) },
            cancel: { ...(cancel.status ? { status_column_id: cancel.status } : {}), ...(cancel.active !== null ? { active_label: cancel.active } : {}), ...(cancel.move ? { move_to_group: cancel.move } : {}) },
          });
          const format: ValueFormatter | undefined =
            formatting === 'none' ? undefined : formatting === 'label' ? (id, v) => (v === null ? null : `${id}:${String(v)}`) : (id, v) => ({ z: v, a: [id, { y: 1, b: v }] });
          const fields = Object.fromEntries(Object.keys(columns).map((source) => [source, staged[source] ?? null]));
          const row = { fields, ...names };
          expect(boardRowHasher(s, format)(row)).toBe(definedRowHash(s, format, row));
        },
      ),
      { numRuns: 500 },
    );
  });

  describe('stored by the merge', () => {
    let t: TestDatabase;
    let db: Db;
    beforeAll(async () => {
      t = await createTestDatabase('sqlite', TABLES);
      db = await t.open();
      await migrateUp(db);
    });
    afterAll(async () => {
      await db.close();
      await t.cleanup();
    });

    it("row_hash and lines_hash are the defined hashes of the order's fields, name, group and lines", async () => {
      const s = settings();
      await stage(db.raw, [order('K-1', { S: 3, L: 12, XS: 0 }, { NOTES: '  note é😀 ' }), order('K-2', { M: 1 }, { 'ORDER TYPE': 'Cancelled' })]);
      await merge(db, s);
      const orders = await db.kysely.selectFrom('orders').selectAll().orderBy('order_key').execute();
      expect(orders).toHaveLength(2);
      for (const o of orders) {
        const lines = await db.kysely.selectFrom('order_lines').select(['size', 'qty']).where('order_id', '=', o.id).orderBy('size_position').execute();
        const fields = JSON.parse(o.fields_json) as Record<string, FieldValue>;
        expect(o.row_hash).toBe(definedRowHash(s, undefined, { fields, itemName: o.item_name, groupName: o.group_name, cancelled: o.is_cancelled === 1 }));
        expect(o.lines_hash).toBe(sha256(canonicalJson(lines.map((l) => [l.size, l.qty]))));
      }
      expect(JSON.parse(orders[0]?.fields_json ?? '{}')).toMatchObject({ NOTES: 'note é😀' });
    });
  });
});
