import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsSchema } from '../../src/config/schema.js';
import { openDatabase, type Db } from '../../src/db/connect.js';
import { migrateDown, migrateUp, migrationStatus } from '../../src/db/migrations/index.js';
import { RunLockedError, withRunLock } from '../../src/queue/run-lock.js';
import { ingestFile } from '../../src/ingest/index.js';
import { merge } from '../../src/merge/merge.js';
import { statusSnapshot } from '../../src/observe/queries.js';
import { generateStaging, writeCsv } from '../../src/sampledata/index.js';

const URL_VAR = 'ORDERSYNC_TEST_MSSQL_URL';
const url = process.env[URL_VAR];

/**
 * SQL Server against a live server: runs only where ORDERSYNC_TEST_MSSQL_URL names one
 * (mssql://USER:PASSWORD@HOST:PORT/DATABASE); everywhere else SQL Server is compile-tested
 * (tests/db/mssql-compile.test.ts). The tables get a random prefix and are dropped after.
 */
describe.skipIf(url === undefined)(`SQL Server live (skipped unless ${URL_VAR} is set)`, () => {
  const prefix = `os${randomBytes(4).toString('hex')}_`;
  const base = settingsSchema.parse({});
  const tables = Object.fromEntries(Object.entries(base.database.tables).map(([k, v]) => [k, `${prefix}${v}`])) as typeof base.database.tables;
  const settings = settingsSchema.parse({ database: { dialect: 'mssql', tables }, staging: { table: `${prefix}staging` } });
  const dir = mkdtempSync(join(tmpdir(), 'ordersync-mssql-'));
  let db: Db;
  let other: Db;

  beforeAll(async () => {
    db = await openDatabase({ dialect: 'mssql', url, tables });
    other = await openDatabase({ dialect: 'mssql', url, tables });
  });
  afterAll(async () => {
    await migrateDown(db, 0).catch(() => undefined);
    await db?.raw.schema.dropTable(settings.staging.table).ifExists().execute().catch(() => undefined);
    await db?.close();
    await other?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates up: every migration applied', async () => {
    await migrateUp(db);
    expect((await migrationStatus(db)).every((m) => m.appliedAt !== null)).toBe(true);
  });

  it('ingests a file and merges it: every order written, a second merge writes nothing', async () => {
    const data = generateStaging({ seed: 3, orders: 20, customers: 2, mess: false });
    const file = join(dir, 'day1.csv');
    await writeCsv(file, data.columns, data.rows);
    const report = await ingestFile(db.raw, { path: file, table: settings.staging.table, dialect: 'mssql' });
    expect(report.rowsLoaded).toBe(20);
    const first = await merge(db, settings);
    expect(first.counts.rows_written).toBeGreaterThan(0);
    const again = await merge(db, settings);
    expect(again.counts.rows_written).toBe(0);
    const status = await statusSnapshot(db, 'default');
    expect(status.rows.filter((r) => r.table === 'orders').reduce((n, r) => n + r.count, 0)).toBe(20);
  });

  it('the run lock is one session at a time, and free again when the holder ends', async () => {
    const inner = await withRunLock(db, 'dev', async () => withRunLock(other, 'dev', async () => 'both').catch((err: unknown) => err));
    expect(inner).toBeInstanceOf(RunLockedError);
    expect(await withRunLock(other, 'dev', async () => 'next')).toBe('next');
  });

  it('migrates down to 0: nothing applied', async () => {
    await migrateDown(db, 0);
    expect((await migrationStatus(db)).every((m) => m.appliedAt === null)).toBe(true);
  });
});
