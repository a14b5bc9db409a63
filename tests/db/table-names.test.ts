import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsSchema } from '../../src/config/schema.js';
import type { Db } from '../../src/db/connect.js';
import { migrateDown, migrateUp, migrationStatus } from '../../src/db/migrations/index.js';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/engines.js';
import { lineRow, orderRow } from './rows.js';
import { dumpSchema } from './schema-dump.js';

const DEFAULT_TABLES = settingsSchema.parse({}).database.tables;

describe.each(ENGINES)('configured table names on %s', (engine) => {
  const tables = settingsSchema.parse({
    database: {
      tables: {
        orders: 'os_orders',
        order_lines: 'os_order_lines',
        sync_runs: 'os_sync_runs',
        sync_events: 'os_sync_events',
        api_log: 'os_api_log',
        monday_groups: 'os_monday_groups',
        board_schemas: 'os_board_schemas',
        run_lock: 'os_run_lock',
        migrations: 'os_migrations',
      },
    },
  }).database.tables;
  let t: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    t = await createTestDatabase(engine, tables);
    db = await t.open();
  });
  afterAll(async () => {
    await db?.close();
    await t?.cleanup();
  });

  it('migrations create the physical names, and only those', async () => {
    await migrateUp(db);
    const dump = await dumpSchema(db);
    expect(Object.keys(dump.tables).sort()).toEqual([
      'os_api_log',
      'os_board_schemas',
      'os_migrations',
      'os_migrations_lock',
      'os_monday_groups',
      'os_order_lines',
      'os_orders',
      'os_run_lock',
      'os_sync_events',
      'os_sync_runs',
    ]);
    // named indexes and constraints follow the configured names too (no clash with a default-named install)
    expect(dump.indexes.some((i) => i.startsWith('os_orders.os_orders_state_idx'))).toBe(true);
    expect(dump.indexes.some((i) => i.startsWith('os_sync_events.os_sync_events_run_idx'))).toBe(true);
    expect(dump.tables.os_order_lines?.keys.join('\n')).toMatch(/os_orders ?\(id\)/);
    for (const name of Object.values(DEFAULT_TABLES)) expect(dump.tables[name]).toBeUndefined();
  });

  it('typed queries on logical names hit the configured tables', async () => {
    const { id } = await db.kysely.insertInto('orders').values(orderRow('K-1')).returning('id').executeTakeFirstOrThrow();
    await db.kysely.insertInto('order_lines').values(lineRow(id, 'S')).execute();
    const joined = await db.kysely
      .selectFrom('orders')
      .innerJoin('order_lines', 'order_lines.order_id', 'orders.id')
      .select(['orders.order_key', 'order_lines.size'])
      .execute();
    expect(joined).toEqual([{ order_key: 'K-1', size: 'S' }]);
    const physical = await sql<{ n: number | string }>`select count(*) as n from os_order_lines`.execute(db.raw);
    expect(Number(physical.rows[0]?.n)).toBe(1);
    expect(db.tables.orders).toBe('os_orders');
    expect(db.migrationTable).toBe('os_migrations');
    expect((await migrationStatus(db)).every((m) => m.appliedAt !== null)).toBe(true);
  });

  it('down drops the configured tables', async () => {
    await migrateDown(db, 0);
    expect(Object.keys((await dumpSchema(db)).tables).sort()).toEqual(['os_migrations', 'os_migrations_lock']);
  });
});

