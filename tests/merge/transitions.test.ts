import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/connect.js';
import { migrateUp } from '../../src/db/migrations/index.js';
import { ConfigError } from '../../src/errors.js';
import { formatMergeSummary } from '../../src/cli/commands/merge.js';
import { merge } from '../../src/merge/index.js';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/engines.js';
import {
  COLUMNS,
  INJECT,
  SIZES,
  STAGING,
  TABLES,
  blankRow,
  clearOrders,
  dumpTables,
  markSynced,
  order,
  settings,
  stage,
  view,
} from './support.js';

/**
 * Every transition of SPEC §1.2 and §4, on every engine. One database per engine; the orders
 * tables are emptied and the staging table re-created before each test.
 */
describe.each(ENGINES)('merge transitions on %s', (engine) => {
  let t: TestDatabase;
  let db: Db;
  const s = settings();

  beforeAll(async () => {
    t = await createTestDatabase(engine, TABLES);
    db = await t.open();
    await migrateUp(db);
    // A decoy under the default name: the configured names must be the only ones touched.
    await db.raw.schema.createTable('orders').addColumn('id', 'integer').execute();
    await db.raw.insertInto('orders').values({ id: 42 }).execute();
  });
  afterAll(async () => {
    await db?.close();
    await t?.cleanup();
  });
  beforeEach(async () => {
    await clearOrders(db);
  });

  it('new order: INSERT/PENDING with one INSERT line per size with qty > 0', async () => {
    await stage(db.raw, [order('GRE-00001', { XS: null, S: 10, M: 0, L: 5 })]);
    const m = await merge(db, s);
    expect(m.counts).toMatchObject({ new: 1, lines_inserted: 2, rows_written: 3, rejected: 0 });
    const v = await view(db);
    expect(v['GRE-00001']).toMatchObject({ action: 'INSERT', sync_state: 'PENDING', monday_item_id: null, total_qty: 15, is_cancelled: 0 });
    expect(v['GRE-00001']?.lines).toEqual({
      S: { qty: 10, action: 'INSERT', sync_state: 'PENDING', monday_subitem_id: null },
      L: { qty: 5, action: 'INSERT', sync_state: 'PENDING', monday_subitem_id: null },
    });
    expect(v['GRE-00001']?.fields).toMatchObject({ 'PO NUMBER': 'PO-GRE-00001', 'ORDER TYPE': 'RECEIVED', [INJECT]: 'harmless' });
  });

  it('header change on a synced order: UPDATE/PENDING, monday ids kept, lines untouched', async () => {
    await stage(db.raw, [order('GRE-00002', { S: 10, M: 4 })]);
    await merge(db, s);
    await markSynced(db, 'GRE-00002');
    const before = await view(db);

    await stage(db.raw, [order('GRE-00002', { S: 10, M: 4 }, { 'PO NUMBER': 'PO-CHANGED' })]);
    const m = await merge(db, s);
    expect(m.counts).toMatchObject({ updated: 1, new: 0, rows_written: 1, lines_updated: 0 });
    const v = (await view(db))['GRE-00002'];
    expect(v).toMatchObject({ action: 'UPDATE', sync_state: 'PENDING', monday_item_id: before['GRE-00002']?.monday_item_id });
    expect(v?.fields['PO NUMBER']).toBe('PO-CHANGED');
    expect(v?.lines).toEqual(before['GRE-00002']?.lines);
  });

  it('a change to a column that is not mapped (and not in a name) is not a change', async () => {
    await stage(db.raw, [order('GRE-00003', { S: 1 })]);
    await merge(db, s);
    const before = await dumpTables(db);
    await stage(db.raw, [order('GRE-00003', { S: 1 }, { 'UNIT OF MEASURE': 'PCS', 'TOTAL QTY': 999 })]);
    const m = await merge(db, s);
    expect(m.counts).toMatchObject({ unchanged: 1, rows_written: 0 });
    expect(await dumpTables(db)).toEqual(before);
  });

  it('group and item name changes are changes (they reach monday)', async () => {
    await stage(db.raw, [order('GRE-00004', { S: 1 })]);
    await merge(db, s);
    await markSynced(db, 'GRE-00004');
    await stage(db.raw, [order('GRE-00004', { S: 1 }, { 'CUSTOMER SEASON': '2026 SPRING' })]);
    expect((await merge(db, s)).counts.updated).toBe(1);
    await markSynced(db, 'GRE-00004');
    await stage(db.raw, [order('GRE-00004', { S: 1 }, { 'CUSTOMER SEASON': '2026 SPRING', 'CUSTOMER STYLE': 'STY-2' })]);
    expect((await merge(db, s)).counts.updated).toBe(1);
    const row = await db.kysely.selectFrom('orders').select(['group_name', 'item_name', 'action']).executeTakeFirstOrThrow();
    expect(row).toEqual({ group_name: 'GREYSON 2026 SPRING', item_name: 'STY-2 NAVY GRE-00004', action: 'UPDATE' });
  });

  it('quantity change: the line is UPDATE/PENDING; the synced item itself is not re-queued', async () => {
    await stage(db.raw, [order('GRE-00005', { S: 10, M: 4 })]);
    await merge(db, s);
    await markSynced(db, 'GRE-00005');
    await stage(db.raw, [order('GRE-00005', { S: 12, M: 4 })]);
    const m = await merge(db, s);
    expect(m.counts).toMatchObject({ updated: 1, lines_updated: 1, lines_inserted: 0, lines_deleted: 0 });
    const v = (await view(db))['GRE-00005'];
    expect(v).toMatchObject({ action: 'NONE', sync_state: 'SYNCED', total_qty: 16 });
    expect(v?.lines.S).toMatchObject({ qty: 12, action: 'UPDATE', sync_state: 'PENDING' });
    expect(v?.lines.M).toMatchObject({ qty: 4, action: 'NONE', sync_state: 'SYNCED' });
  });

  it('quantity change before the first sync: the line stays an INSERT with the new qty', async () => {
    await stage(db.raw, [order('GRE-00006', { S: 10 })]);
    await merge(db, s);
    await stage(db.raw, [order('GRE-00006', { S: 3 })]);
    await merge(db, s);
    const v = (await view(db))['GRE-00006'];
    expect(v).toMatchObject({ action: 'INSERT', sync_state: 'PENDING' });
    expect(v?.lines.S).toMatchObject({ qty: 3, action: 'INSERT', sync_state: 'PENDING' });
  });

  it('size added: a new INSERT/PENDING line, the others untouched', async () => {
    await stage(db.raw, [order('GRE-00007', { S: 10 })]);
    await merge(db, s);
    await markSynced(db, 'GRE-00007');
    await stage(db.raw, [order('GRE-00007', { S: 10, XL: 7 })]);
    const m = await merge(db, s);
    expect(m.counts).toMatchObject({ updated: 1, lines_inserted: 1, lines_updated: 0 });
    const v = (await view(db))['GRE-00007'];
    expect(v?.lines.XL).toMatchObject({ qty: 7, action: 'INSERT', sync_state: 'PENDING', monday_subitem_id: null });
    expect(v?.lines.S).toMatchObject({ qty: 10, action: 'NONE', sync_state: 'SYNCED' });
  });

  it('size removed (blank or 0): qty 0 + DELETE when a subitem exists, row deleted when never synced', async () => {
    await stage(db.raw, [order('GRE-00008', { S: 10, M: 4 })]);
    await merge(db, s);
    await markSynced(db, 'GRE-00008');
    await stage(db.raw, [order('GRE-00008', { S: 10, M: 4, L: 6 })]); // L: never synced
    await merge(db, s);
    await stage(db.raw, [order('GRE-00008', { S: 10, M: 0, L: null })]);
    const m = await merge(db, s);
    expect(m.counts).toMatchObject({ lines_deleted: 2, lines_updated: 0 });
    const v = (await view(db))['GRE-00008'];
    expect(v?.lines.M).toMatchObject({ qty: 0, action: 'DELETE', sync_state: 'PENDING', monday_subitem_id: expect.any(String) });
    expect(v?.lines.L).toBeUndefined();
    expect(v?.lines.S).toMatchObject({ qty: 10, action: 'NONE', sync_state: 'SYNCED' });

    // The DELETE line is not re-queued by the next identical load, before or after the sync zeroed it.
    let before = await dumpTables(db);
    expect((await merge(db, s)).counts.rows_written).toBe(0);
    expect(await dumpTables(db)).toEqual(before);
    await markSynced(db, 'GRE-00008');
    before = await dumpTables(db);
    expect((await merge(db, s)).counts.rows_written).toBe(0);
    expect(await dumpTables(db)).toEqual(before);

    // Another size changes: only that line is queued, the zeroed one stays as the sync left it.
    await stage(db.raw, [order('GRE-00008', { S: 11 })]);
    expect((await merge(db, s)).counts).toMatchObject({ lines_updated: 1, lines_deleted: 0, rows_written: 2 });
    expect((await view(db))['GRE-00008']?.lines.M).toMatchObject({ qty: 0, action: 'NONE', sync_state: 'SYNCED' });

    // A removed size that comes back is an UPDATE of its subitem.
    await stage(db.raw, [order('GRE-00008', { S: 10, M: 9 })]);
    await merge(db, s);
    expect((await view(db))['GRE-00008']?.lines.M).toMatchObject({ qty: 9, action: 'UPDATE', sync_state: 'PENDING' });
  });

  it.each(['CANCELLED', 'Cancelled', 'cancelled'])('cancellation (%s): CANCEL/PENDING, every line re-queued with its sizes', async (type) => {
    await stage(db.raw, [order('GRE-00009', { S: 10, M: 4 })]);
    await merge(db, s);
    await markSynced(db, 'GRE-00009');
    await stage(db.raw, [order('GRE-00009', { S: 10, M: 4 }, { 'ORDER TYPE': type })]);
    const m = await merge(db, s);
    expect(m.counts).toMatchObject({ cancelled: 1, updated: 0, lines_updated: 2 });
    const v = (await view(db))['GRE-00009'];
    expect(v).toMatchObject({ action: 'CANCEL', sync_state: 'PENDING', is_cancelled: 1, monday_item_id: expect.any(String) });
    expect(v?.lines.S).toMatchObject({ qty: 10, action: 'UPDATE', sync_state: 'PENDING' });
    expect(v?.lines.M).toMatchObject({ qty: 4, action: 'UPDATE', sync_state: 'PENDING' });
  });

  it('a cancellation not yet synced stays CANCEL when the cancelled order changes again', async () => {
    await stage(db.raw, [order('GRE-00010', { S: 10 })]);
    await merge(db, s);
    await markSynced(db, 'GRE-00010');
    await stage(db.raw, [order('GRE-00010', { S: 10 }, { 'ORDER TYPE': 'CANCELLED' })]);
    await merge(db, s);
    await stage(db.raw, [order('GRE-00010', { S: 10 }, { 'ORDER TYPE': 'CANCELLED', NOTES: 'late change' })]);
    await merge(db, s);
    expect((await view(db))['GRE-00010']).toMatchObject({ action: 'CANCEL', sync_state: 'PENDING' });
  });

  it('reactivation: UPDATE/PENDING and the quantities come back', async () => {
    await stage(db.raw, [order('GRE-00011', { S: 10, M: 4 })]);
    await merge(db, s);
    await markSynced(db, 'GRE-00011');
    // Upstream cancels and blanks the quantities; the sync zeroes the subitems.
    await stage(db.raw, [order('GRE-00011', {}, { 'ORDER TYPE': 'Cancelled' })]);
    await merge(db, s);
    let v = (await view(db))['GRE-00011'];
    expect(v).toMatchObject({ action: 'CANCEL', is_cancelled: 1 });
    expect(v?.lines.S).toMatchObject({ qty: 0, action: 'DELETE' });
    await markSynced(db, 'GRE-00011');

    await stage(db.raw, [order('GRE-00011', { S: 10, M: 4 })]);
    const m = await merge(db, s);
    expect(m.counts).toMatchObject({ reactivated: 1, cancelled: 0, lines_updated: 2 });
    v = (await view(db))['GRE-00011'];
    expect(v).toMatchObject({ action: 'UPDATE', sync_state: 'PENDING', is_cancelled: 0, total_qty: 14 });
    expect(v?.lines.S).toMatchObject({ qty: 10, action: 'UPDATE', sync_state: 'PENDING' });
    expect(v?.lines.M).toMatchObject({ qty: 4, action: 'UPDATE', sync_state: 'PENDING' });
  });

  it('reactivation with quantities unchanged still re-queues every line (the board shows 0)', async () => {
    await stage(db.raw, [order('GRE-00012', { S: 10 }, { 'ORDER TYPE': 'CANCELLED' })]);
    await merge(db, settings({ cancel: { never_synced: 'create' } }));
    await markSynced(db, 'GRE-00012');
    await stage(db.raw, [order('GRE-00012', { S: 10 })]);
    await merge(db, s);
    const v = (await view(db))['GRE-00012'];
    expect(v).toMatchObject({ action: 'UPDATE', sync_state: 'PENDING' });
    expect(v?.lines.S).toMatchObject({ qty: 10, action: 'UPDATE', sync_state: 'PENDING' });
  });

  it('cancelled and never synced, never_synced = skip: SKIPPED (order and lines); created once active', async () => {
    await stage(db.raw, [order('GRE-00013', { S: 10 }, { 'ORDER TYPE': 'CANCELLED' })]);
    const m = await merge(db, s);
    expect(m.counts).toMatchObject({ skipped_cancelled: 1, new: 0 });
    let v = (await view(db))['GRE-00013'];
    expect(v).toMatchObject({ action: 'NONE', sync_state: 'SKIPPED', is_cancelled: 1 });
    expect(v?.lines.S).toMatchObject({ qty: 10, sync_state: 'SKIPPED' });
    expect((await merge(db, s)).counts.rows_written).toBe(0);

    await stage(db.raw, [order('GRE-00013', { S: 10 })]);
    await merge(db, s);
    v = (await view(db))['GRE-00013'];
    expect(v).toMatchObject({ action: 'INSERT', sync_state: 'PENDING', is_cancelled: 0 });
    expect(v?.lines.S).toMatchObject({ qty: 10, action: 'INSERT', sync_state: 'PENDING' });
  });

  it('a pending (never synced) order cancelled under skip becomes SKIPPED with its lines', async () => {
    await stage(db.raw, [order('GRE-00014', { S: 10, M: 2 })]);
    await merge(db, s);
    await stage(db.raw, [order('GRE-00014', { S: 10, M: 3 }, { 'ORDER TYPE': 'CANCELLED' })]);
    const m = await merge(db, s);
    expect(m.counts.cancelled).toBe(1);
    const v = (await view(db))['GRE-00014'];
    expect(v).toMatchObject({ action: 'NONE', sync_state: 'SKIPPED' });
    expect(Object.values(v?.lines ?? {}).map((l) => l.sync_state)).toEqual(['SKIPPED', 'SKIPPED']);
  });

  it('cancelled and never synced, never_synced = create: INSERT/PENDING', async () => {
    await stage(db.raw, [order('GRE-00015', { S: 10 }, { 'ORDER TYPE': 'CANCELLED' })]);
    const m = await merge(db, settings({ cancel: { never_synced: 'create' } }));
    expect(m.counts).toMatchObject({ new: 1, skipped_cancelled: 0 });
    const v = (await view(db))['GRE-00015'];
    expect(v).toMatchObject({ action: 'INSERT', sync_state: 'PENDING', is_cancelled: 1 });
    expect(v?.lines.S).toMatchObject({ qty: 10, action: 'INSERT', sync_state: 'PENDING' });
  });

  it('vanished under leave: kept as it was, flagged out of staging, reported', async () => {
    await stage(db.raw, [order('GRE-00016', { S: 1 }), order('GRE-00017', { S: 1 })]);
    await merge(db, s);
    await markSynced(db, 'GRE-00016');
    await stage(db.raw, [order('GRE-00017', { S: 1 })]);
    const m = await merge(db, s);
    expect(m.counts.vanished).toBe(1);
    expect(m.vanishedKeys).toEqual(['GRE-00016']);
    const v = (await view(db))['GRE-00016'];
    expect(v).toMatchObject({ action: 'NONE', sync_state: 'SYNCED', in_staging: 0 });
    expect(v?.lines.S).toMatchObject({ qty: 1, sync_state: 'SYNCED' });
    // Reported once, not on every run.
    expect((await merge(db, s)).counts).toMatchObject({ vanished: 0, rows_written: 0 });
    // Back in staging unchanged: queued as an UPDATE (the policy may have archived it meanwhile).
    await stage(db.raw, [order('GRE-00016', { S: 1 }), order('GRE-00017', { S: 1 })]);
    expect((await merge(db, s)).counts).toMatchObject({ updated: 1, vanished: 0 });
    expect((await view(db))['GRE-00016']).toMatchObject({ action: 'UPDATE', sync_state: 'PENDING', in_staging: 1 });
  });

  it('vanished under archive: ARCHIVE/PENDING when on the board, SKIPPED when never synced; back again → UPDATE', async () => {
    const a = settings({ staging: { vanished_policy: 'archive' } });
    await stage(db.raw, [order('GRE-00018', { S: 1 }), order('GRE-00019', { S: 1 }), order('GRE-00020', { S: 1 })]);
    await merge(db, a);
    await markSynced(db, 'GRE-00018');
    await stage(db.raw, [order('GRE-00020', { S: 1 })]);
    const m = await merge(db, a);
    expect(m.counts.vanished).toBe(2);
    expect(m.vanishedKeys.sort()).toEqual(['GRE-00018', 'GRE-00019']);
    let v = await view(db);
    expect(v['GRE-00018']).toMatchObject({ action: 'ARCHIVE', sync_state: 'PENDING', in_staging: 0 });
    expect(v['GRE-00019']).toMatchObject({ action: 'NONE', sync_state: 'SKIPPED', in_staging: 0 });

    // The archive went through (the sync leaves action NONE); then upstream brings both back unchanged.
    await db.kysely.updateTable('orders').set({ sync_state: 'SYNCED', action: 'NONE' }).where('order_key', '=', 'GRE-00018').execute();
    await stage(db.raw, [order('GRE-00018', { S: 1 }), order('GRE-00019', { S: 1 }), order('GRE-00020', { S: 1 })]);
    await merge(db, a);
    v = await view(db);
    expect(v['GRE-00018']).toMatchObject({ action: 'UPDATE', sync_state: 'PENDING', in_staging: 1 });
    expect(v['GRE-00019']).toMatchObject({ action: 'INSERT', sync_state: 'PENDING', in_staging: 1 });
  });

  it('duplicate key under error: every row skipped and reported with its row number; the order on record is untouched', async () => {
    await stage(db.raw, [order('GRE-00021', { S: 1 })]);
    await merge(db, s);
    const before = await dumpTables(db);
    await stage(db.raw, [order('GRE-00022', { S: 1 }), order('GRE-00021', { S: 5 }), order('GRE-00021', { S: 6 })]);
    const m = await merge(db, s);
    expect(m.counts).toMatchObject({ duplicate_keys: 1, rejected: 2, new: 1, vanished: 0 });
    expect(m.duplicates).toEqual([{ key: 'GRE-00021', rows: [2, 3], kept: null }]);
    expect(m.rejections.map((r) => [r.rowNumber, r.key])).toEqual([
      [2, 'GRE-00021'],
      [3, 'GRE-00021'],
    ]);
    expect(m.rejections[0]?.reason).toMatch(/duplicate key \(rows 2, 3\).*error/);
    const after = await dumpTables(db);
    expect(after.orders.filter((o: any) => o.order_key === 'GRE-00021')).toEqual(before.orders);
    expect((await view(db))['GRE-00021']?.lines.S?.qty).toBe(1);
  });

  it.each([
    ['first', 5],
    ['last', 7],
  ] as const)('duplicate key under %s: that row is merged, the others reported', async (policy, qty) => {
    await stage(db.raw, [order('GRE-00023', { S: 5 }), order('GRE-00024', { S: 1 }), order('GRE-00023', { S: 6 }), order('GRE-00023', { S: 7 })]);
    const m = await merge(db, settings({ staging: { duplicate_policy: policy } }));
    expect(m.counts).toMatchObject({ duplicate_keys: 1, rejected: 2, new: 2 });
    const kept = policy === 'first' ? 1 : 4;
    expect(m.duplicates).toEqual([{ key: 'GRE-00023', rows: [1, 3, 4], kept }]);
    expect(m.rejections.map((r) => r.rowNumber)).toEqual([1, 3, 4].filter((n) => n !== kept));
    expect(m.rejections[0]?.reason).toContain(`row ${kept} kept`);
    const v = (await view(db))['GRE-00023'];
    expect(v?.lines.S?.qty).toBe(qty);
    const row = await db.kysely.selectFrom('orders').select('staging_row').where('order_key', '=', 'GRE-00023').executeTakeFirstOrThrow();
    expect(row.staging_row).toBe(kept);
  });

  it('empty keys are rejected with their row numbers; fully blank rows are skipped and counted, not rejected', async () => {
    await stage(db.raw, [order('GRE-00025', { S: 1 }), blankRow(), order(null, { S: 2 }), order('   ', { S: 3 }), blankRow()]);
    const m = await merge(db, s);
    expect(m.counts).toMatchObject({ new: 1, rejected: 2, blank_rows: 2, staged_rows: 5 });
    expect(m.rejections).toEqual([
      { rowNumber: 3, key: null, reason: 'empty key column "AAG ORDER NUMBER"' },
      { rowNumber: 4, key: null, reason: 'empty key column "AAG ORDER NUMBER"' },
    ]);
    // The terminal summary says where the staged rows that are neither orders nor rejections went.
    expect(formatMergeSummary(m, 20)).toMatch(/^merge: 5 staged rows \(2 blank, skipped\), /);
  });

  it.each([
    ['abc', /column "M": quantity "abc" is not a number/],
    ['-3', /column "M": quantity -3 is negative/],
    ['2.5', /column "M": quantity 2.5 is not a whole number/],
  ])('quantity %s is rejected, naming the column; the rest of the load merges', async (bad, reason) => {
    await stage(db.raw, [order('GRE-00026', { S: 1 }), order('GRE-00027', { S: 1, M: bad })]);
    const m = await merge(db, s);
    expect(m.counts).toMatchObject({ new: 1, rejected: 1 });
    expect(m.rejections).toHaveLength(1);
    expect(m.rejections[0]).toMatchObject({ rowNumber: 2, key: 'GRE-00027' });
    expect(m.rejections[0]?.reason).toMatch(reason);
    expect(Object.keys(await view(db))).toEqual(['GRE-00026']);
  });

  it('a rejected row of an order on record leaves that order as it was (not vanished)', async () => {
    await stage(db.raw, [order('GRE-00028', { S: 1 })]);
    await merge(db, s);
    const before = await dumpTables(db);
    await stage(db.raw, [order('GRE-00028', { S: 'x' })]);
    const m = await merge(db, s);
    expect(m.counts).toMatchObject({ rejected: 1, vanished: 0, rows_written: 0 });
    expect(await dumpTables(db)).toEqual(before);
  });

  const without = (...drop: string[]) => COLUMNS.filter((c) => !drop.includes(c));
  it.each([
    ['missing start marker', without('UNIT OF MEASURE'), /has no marker column "UNIT OF MEASURE" \(size_markers.start_after\); columns seen: "AAG ORDER NUMBER"/],
    ['missing end marker', without('TOTAL QTY'), /has no marker column "TOTAL QTY" \(size_markers.end_before\); columns seen: .*"XS"/],
    [
      'misordered markers',
      [...without('UNIT OF MEASURE', 'TOTAL QTY').slice(0, 7), 'TOTAL QTY', ...SIZES, 'UNIT OF MEASURE', 'ORDER TYPE', 'NOTES', INJECT],
      /marker "TOTAL QTY" \(position 8\) comes before "UNIT OF MEASURE" \(position 14\)/,
    ],
    ['nothing between the markers', without(...SIZES), /no size columns between "UNIT OF MEASURE" and "TOTAL QTY" \(positions 8 and 9\)/],
  ])('marker error: %s, naming the table', async (_name, columns, message) => {
    await stage(db.raw, [order('GRE-00029', { S: 1 })], columns);
    const err = await merge(db, s).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(`staging table "${STAGING}"`);
    expect((err as Error).message).toMatch(message);
    expect(await view(db)).toEqual({});
  });

  it('explicit size_columns: only those columns are sizes, markers not needed', async () => {
    const cols = without('UNIT OF MEASURE', 'TOTAL QTY');
    await stage(db.raw, [order('GRE-00030', { XS: 1, S: 2, M: 3, L: 4 })], cols);
    const m = await merge(db, settings({ staging: { size_columns: ['S', 'L'] } }));
    expect(m.sizeColumns).toBe(2);
    expect(Object.keys((await view(db))['GRE-00030']?.lines ?? {}).sort()).toEqual(['L', 'S']);

    const err = await merge(db, settings({ staging: { size_columns: ['S', '30/32'] } })).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/lacks size column\(s\) "30\/32" \(staging.size_columns\); columns seen: "AAG ORDER NUMBER"/);
  });

  it('composite key: one order per key tuple, keys kept apart', async () => {
    const c = settings({ staging: { key_columns: ['AAG ORDER NUMBER', 'PO NUMBER'] } });
    await stage(db.raw, [
      order('GRE-00031', { S: 1 }, { 'PO NUMBER': 'A' }),
      order('GRE-00031', { S: 2 }, { 'PO NUMBER': 'B' }),
      order('GRE-00031', { S: 3 }, { 'PO NUMBER': null }),
    ]);
    const m = await merge(db, c);
    expect(m.counts).toMatchObject({ new: 2, rejected: 1, duplicate_keys: 0 });
    expect(m.rejections[0]).toMatchObject({ rowNumber: 3, reason: 'empty key column "PO NUMBER"' });
    const rows = await db.kysely.selectFrom('orders').select(['order_key', 'key_values']).orderBy('order_key').execute();
    expect(rows).toEqual([
      { order_key: 'GRE-00031 | A', key_values: '["GRE-00031","A"]' },
      { order_key: 'GRE-00031 | B', key_values: '["GRE-00031","B"]' },
    ]);
    expect((await view(db))['GRE-00031 | B']?.lines.S?.qty).toBe(2);
  });

  it('identical re-merge writes nothing at all', async () => {
    const rows = [order('GRE-00032', { S: 1, M: 2 }), order('GRE-00033', { L: 4 }, { 'ORDER TYPE': 'CANCELLED' }), order('GRE-00034', { XL: 9 })];
    await stage(db.raw, rows);
    await merge(db, s);
    await markSynced(db, 'GRE-00034');
    const before = await dumpTables(db);
    const m = await merge(db, s, { now: () => new Date('2030-01-01T00:00:00Z') });
    expect(m.counts).toMatchObject({ rows_written: 0, unchanged: 3, new: 0, updated: 0 });
    expect(await dumpTables(db)).toEqual(before);
  });

  it('--dry-run writes nothing and reports what a real run would', async () => {
    await stage(db.raw, [order('GRE-00035', { S: 1 }), order('GRE-00036', { S: 1 }), order('GRE-00037', { S: 1 })]);
    await merge(db, s);
    await markSynced(db, 'GRE-00035');
    await stage(db.raw, [order('GRE-00035', { S: 2, M: 1 }, { NOTES: 'n' }), order('GRE-00038', { S: 1 }), order('GRE-00037', { S: 1 }, { 'ORDER TYPE': 'CANCELLED' })]);
    const before = await dumpTables(db);
    const dry = await merge(db, s, { dryRun: true });
    expect(await dumpTables(db)).toEqual(before);
    expect(dry.dryRun).toBe(true);
    const real = await merge(db, s);
    const { rows_written: _d, ...dryCounts } = dry.counts;
    const { rows_written: _r, ...realCounts } = real.counts;
    expect(dryCounts).toEqual(realCounts);
    expect(dry.vanishedKeys).toEqual(real.vanishedKeys);
    expect(dry.counts.rows_written).toBe(0);
    expect(real.counts.rows_written).toBeGreaterThan(0);
  });

  it('an IN_FLIGHT row keeps IN_FLIGHT when staging changes (crash recovery decides first)', async () => {
    await stage(db.raw, [order('GRE-00039', { S: 1, M: 2 }), order('GRE-00040', { S: 1 })]);
    await merge(db, s);
    await markSynced(db, 'GRE-00039');
    await db.kysely.updateTable('orders').set({ sync_state: 'IN_FLIGHT' }).execute();
    await db.kysely.updateTable('order_lines').set({ sync_state: 'IN_FLIGHT' }).execute();
    await stage(db.raw, [order('GRE-00039', { S: 5 }, { NOTES: 'changed' }), order('GRE-00040', { S: 3 }, { 'ORDER TYPE': 'CANCELLED' })]);
    await merge(db, s);
    const v = await view(db);
    expect(v['GRE-00039']).toMatchObject({ action: 'UPDATE', sync_state: 'IN_FLIGHT' });
    expect(v['GRE-00039']?.lines.S).toMatchObject({ qty: 5, action: 'UPDATE', sync_state: 'IN_FLIGHT' });
    expect(v['GRE-00039']?.lines.M).toMatchObject({ qty: 0, action: 'DELETE', sync_state: 'IN_FLIGHT' });
    // Never synced but in flight: the create may have reached monday, so it is not skipped.
    expect(v['GRE-00040']).toMatchObject({ action: 'INSERT', sync_state: 'IN_FLIGHT', is_cancelled: 1 });
    expect(v['GRE-00040']?.lines.S).toMatchObject({ qty: 3, sync_state: 'IN_FLIGHT' });
  });

  it('an ERROR row that changes is PENDING again with its retry count reset', async () => {
    await stage(db.raw, [order('GRE-00041', { S: 1 })]);
    await merge(db, s);
    await markSynced(db, 'GRE-00041');
    await db.kysely.updateTable('orders').set({ sync_state: 'ERROR', retry_count: 3, action: 'UPDATE' }).execute();
    const untouched = await dumpTables(db);
    expect((await merge(db, s)).counts.rows_written).toBe(0);
    expect(await dumpTables(db)).toEqual(untouched);
    await stage(db.raw, [order('GRE-00041', { S: 1 }, { NOTES: 'fixed' })]);
    await merge(db, s);
    expect((await view(db))['GRE-00041']).toMatchObject({ action: 'UPDATE', sync_state: 'PENDING', retry_count: 0 });
  });

  it('configured physical table names are the only tables written; quoted identifiers never break SQL', async () => {
    await stage(db.raw, [order('GRE-00042', { S: 1 }, { [INJECT]: "'); delete from orders; --" })]);
    await merge(db, s);
    const v = (await view(db))['GRE-00042'];
    expect(v?.fields[INJECT]).toBe("'); delete from orders; --");
    // The decoy `orders` table is intact; the orders went to the configured tables.
    expect(await db.raw.selectFrom('orders').selectAll().execute()).toEqual([{ id: 42 }]);
    expect(await db.raw.selectFrom(TABLES.orders).select('order_key').execute()).toEqual([{ order_key: 'GRE-00042' }]);
    expect(await db.raw.selectFrom(TABLES.order_lines).select('size').execute()).toEqual([{ size: 'S' }]);

    // The injection-looking name as a key column and a size column too.
    const cols = [...COLUMNS.slice(0, 8), 'S', INJECT, 'TOTAL QTY', 'ORDER TYPE', 'NOTES'];
    await clearOrders(db);
    await stage(db.raw, [{ ...order('x', {}), 'AAG ORDER NUMBER': null, S: 2, [INJECT]: 3 }], cols);
    const m = await merge(db, settings({ staging: { key_columns: ['CUSTOMER STYLE'] }, mapping: { columns: { NOTES: 'long_text' } } }));
    expect(m.counts.new).toBe(1);
    expect((await view(db))['STY-1']?.lines).toMatchObject({ S: { qty: 2 }, [INJECT]: { qty: 3 } });
  });
});
