import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/connect.js';
import { isCurrent, migrateDown, migrateUp, migrationStatus } from '../../src/db/migrations/index.js';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/engines.js';
import { dumpSchema, type SchemaDump } from './schema-dump.js';
import { NOW, lineRow, orderRow, runRow } from './rows.js';

const OUR_TABLES = ['api_log', 'board_schemas', 'monday_groups', 'order_lines', 'orders', 'run_lock', 'sync_events', 'sync_runs'];
const MIGRATION_TABLES = ['ordersync_migrations', 'ordersync_migrations_lock'];
describe.each(ENGINES)('schema on %s', (engine) => {
  let t: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    db = await t.open();
  });
  afterAll(async () => {
    await db?.close();
    await t?.cleanup();
  });

  it('runs on the engine it names (postgres only falls back outside CI)', () => {
    if (engine !== 'postgres' || process.env.CI === 'true') expect(t.actual).toBe(engine);
  });

  it('migrate up → down → up leaves the same schema', async () => {
    expect(await isCurrent(db)).toBe(false);
    expect(await migrateUp(db)).toEqual(['applied 001_orders', 'applied 002_run_history', 'applied 003_value_hash', 'applied 004_item_id_unique', 'applied 005_board_values']);
    expect(await isCurrent(db)).toBe(true);
    const before = await dumpSchema(db);
    expect(Object.keys(before.tables).sort()).toEqual([...MIGRATION_TABLES, ...OUR_TABLES].sort());
    expectSubstantial(before);

    // default: one step
    expect(await migrateDown(db)).toEqual(['reverted 005_board_values']);
    expect((await dumpSchema(db)).tables.orders?.columns.some((c) => c.startsWith('board_values_json'))).toBe(false);
    expect(await migrateDown(db)).toEqual(['reverted 004_item_id_unique']);
    expect(await migrateDown(db)).toEqual(['reverted 003_value_hash']);
    expect(Object.keys((await dumpSchema(db)).tables)).not.toContain('board_schemas');
    expect(await migrateDown(db)).toEqual(['reverted 002_run_history']);
    const middle = await dumpSchema(db);
    expect(Object.keys(middle.tables).sort()).toEqual(
      [...MIGRATION_TABLES, 'monday_groups', 'order_lines', 'orders', 'run_lock'].sort(),
    );
    expect((await migrationStatus(db)).map((m) => [m.version, m.appliedAt !== null])).toEqual([
      [1, true],
      [2, false],
      [3, false],
      [4, false],
      [5, false],
    ]);

    expect(await migrateDown(db, 0)).toEqual(['reverted 001_orders']);
    expect(Object.keys((await dumpSchema(db)).tables).sort()).toEqual(MIGRATION_TABLES);
    expect(await migrateDown(db)).toEqual([]);

    expect(await migrateUp(db, 1)).toEqual(['applied 001_orders']);
    expect(await migrateUp(db)).toEqual(['applied 002_run_history', 'applied 003_value_hash', 'applied 004_item_id_unique', 'applied 005_board_values']);
    const after = await dumpSchema(db);
    expect(after).toEqual(before);
  });

  it('up --to and down --to never move the other way', async () => {
    const before = await dumpSchema(db);
    expect(await migrateUp(db, 1)).toEqual([]); // at 5 already: nothing to apply, nothing dropped
    expect(await migrateDown(db, 5)).toEqual([]);
    expect(await migrateUp(db)).toEqual([]);
    expect(await dumpSchema(db)).toEqual(before);
    await expect(migrateUp(db, 9)).rejects.toThrow('no migration version 9 (known: 001_orders, 002_run_history, 003_value_hash, 004_item_id_unique, 005_board_values)');
  });

  describe('CHECK constraints reject unknown states', () => {
    it('orders.sync_state, orders.action', async () => {
      const ok = await db.kysely.insertInto('orders').values(orderRow('OK-1')).returning('id').executeTakeFirstOrThrow();
      expect(ok.id).toBeGreaterThan(0);
      await expect(
        db.kysely.insertInto('orders').values(orderRow('BAD-1', { sync_state: 'BOGUS' })).execute(),
      ).rejects.toThrow(/check constraint/i);
      await expect(db.kysely.insertInto('orders').values(orderRow('BAD-2', { action: 'UPSERT' })).execute()).rejects.toThrow(
        /check constraint/i,
      );
      await expect(
        db.kysely.updateTable('orders').set({ sync_state: 'DONE' as never }).where('id', '=', ok.id).execute(),
      ).rejects.toThrow(/check constraint/i);
      const rows = await db.kysely.selectFrom('orders').select(['order_key', 'sync_state']).execute();
      expect(rows).toEqual([{ order_key: 'OK-1', sync_state: 'PENDING' }]);
    });

    it('order_lines.action, order_lines.qty', async () => {
      const order = await db.kysely.selectFrom('orders').select('id').executeTakeFirstOrThrow();
      await db.kysely.insertInto('order_lines').values(lineRow(order.id, 'M')).execute();
      await expect(db.kysely.insertInto('order_lines').values(lineRow(order.id, 'L', { action: 'X' })).execute()).rejects.toThrow(
        /check constraint/i,
      );
      await expect(db.kysely.insertInto('order_lines').values(lineRow(order.id, 'XL', { qty: -1 })).execute()).rejects.toThrow(
        /check constraint/i,
      );
      await expect(
        db.kysely.insertInto('order_lines').values(lineRow(order.id, 'S', { sync_state: 'BOGUS' })).execute(),
      ).rejects.toThrow(/check constraint/i);
      expect(await db.kysely.selectFrom('order_lines').select('size').execute()).toEqual([{ size: 'M' }]);
    });

    it('sync_runs.status, sync_events.outcome', async () => {
      const run = await db.kysely.insertInto('sync_runs').values(runRow()).returning('id').executeTakeFirstOrThrow();
      await expect(db.kysely.insertInto('sync_runs').values(runRow({ status: 'BOGUS' })).execute()).rejects.toThrow(/check constraint/i);
      await expect(
        db.kysely.updateTable('sync_runs').set({ status: 'DONE' as never }).where('id', '=', run.id).execute(),
      ).rejects.toThrow(/check constraint/i);
      await db.kysely
        .insertInto('sync_events')
        .values({ run_id: run.id, operation: 'create_item', outcome: 'OK', created_at: NOW })
        .execute();
      await expect(
        db.kysely.insertInto('sync_events').values({ run_id: run.id, operation: 'create_item', outcome: 'MAYBE' as never, created_at: NOW }).execute(),
      ).rejects.toThrow(/check constraint/i);
    });

    it('one order line per order and size; lines need their order', async () => {
      const order = await db.kysely.selectFrom('orders').select('id').executeTakeFirstOrThrow();
      await expect(db.kysely.insertInto('order_lines').values(lineRow(order.id, 'M')).execute()).rejects.toThrow(/unique/i);
      await expect(db.kysely.insertInto('order_lines').values(lineRow(order.id + 1000, 'M')).execute()).rejects.toThrow(/foreign key/i);
    });

    it('one order per board item (monday_item_id unique; many orders not on the board yet)', async () => {
      await db.kysely.insertInto('orders').values([orderRow('ITEM-1', { monday_item_id: '9000000100' }), orderRow('ITEM-N1'), orderRow('ITEM-N2')]).execute();
      await expect(db.kysely.insertInto('orders').values(orderRow('ITEM-2', { monday_item_id: '9000000100' })).execute()).rejects.toThrow(/unique/i);
      const other = await db.kysely.insertInto('orders').values(orderRow('ITEM-3', { monday_item_id: '9000000101' })).returning('id').executeTakeFirstOrThrow();
      await expect(db.kysely.updateTable('orders').set({ monday_item_id: '9000000100' }).where('id', '=', other.id).execute()).rejects.toThrow(/unique/i);
    });

    it('migrating up over orders that share an item stops, naming the item and orders', async () => {
      await migrateDown(db, 3);
      await db.kysely.updateTable('orders').set({ monday_item_id: '9000000100' }).where('order_key', '=', 'ITEM-3').execute();
      await expect(migrateUp(db)).rejects.toThrow(/item 9000000100 held by 2 orders \("ITEM-1" … "ITEM-3"\)/);
      await db.kysely.updateTable('orders').set({ monday_item_id: null }).where('order_key', '=', 'ITEM-3').execute();
      expect(await migrateUp(db)).toEqual(['applied 004_item_id_unique', 'applied 005_board_values']);
    });
  });
});

/** Guards the comparison above against an empty or shallow dump. */
function expectSubstantial(d: SchemaDump): void {
  const orders = d.tables.orders;
  expect(orders?.columns.length).toBe(35);
  expect(orders?.columns.find((c) => c.startsWith('sync_state '))).toMatch(/^sync_state text not null/);
  expect(orders?.columns.find((c) => c.startsWith('customer '))).toMatch(/^customer text null/);
  expect(orders?.checks.join('\n')).toMatch(/sync_state/);
  expect(orders?.checks.length).toBe(4);
  expect(d.tables.order_lines?.checks.length).toBe(3);
  expect(d.tables.sync_runs?.checks.length).toBe(1);
  expect(d.tables.sync_events?.checks.length).toBe(1);
  expect(d.tables.sync_runs?.columns.find((c) => c.startsWith('complexity_used '))).toMatch(/bigint not null/);
  expect(d.indexes.filter((i) => /_(state|customer|env|run|order|created)_idx/.test(i))).toHaveLength(8);
  expect(d.indexes.filter((i) => /_monday_item_uq/.test(i))).toHaveLength(1);
}
