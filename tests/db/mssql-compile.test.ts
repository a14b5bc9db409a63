import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsSchema } from '../../src/config/schema.js';
import type { Db } from '../../src/db/connect.js';
import type { Kysely } from 'kysely';
import { dialectAdapter } from '../../src/db/dialects/index.js';
import { openMergeWriter, type OrderRow } from '../../src/db/dialects/merge-writer.js';
import { migrateUp, migrationsFor } from '../../src/db/migrations/index.js';
import { withRunLock } from '../../src/queue/run-lock.js';
import { addSourceColumns, createStagingTable, existingColumns, lastSourceSeq, RowInserter } from '../../src/ingest/staging-table.js';
import { merge } from '../../src/merge/merge.js';
import { distinctValues } from '../../src/merge/staging-profile.js';
import { runJob } from '../../src/jobs/run.js';
import { backlog, errorsByCode, lastRuns, orderHistory, prune, rowsByState, runById, statusSnapshot } from '../../src/observe/queries.js';
import { buildReport } from '../../src/observe/report.js';
import { generateStaging, nextDay, type StagingRow } from '../../src/sampledata/index.js';
import { createSyncEnv, type SyncEnv } from '../support/sync-env.js';
import { compileOnlyDb, MssqlRecorder } from './support/mssql-compile.js';

/**
 * SQL Server is compile-tested (docs/architecture.md): every statement ordersync issues is
 * compiled with Kysely's MssqlDialect, through the mssql adapter, without a server. The
 * statements of a real run (on SQLite, against the emulator) are recompiled for SQL Server;
 * the migrations and the adapter's own SQL are compiled on a driver that is never opened.
 * The snapshots are the SQL a server would receive; `notTsql` catches what T-SQL lacks.
 */

const TABLES = settingsSchema.parse({}).database.tables;
const STAGING = settingsSchema.parse({}).staging.table;

/** Forms SQL Server does not have; the adapter's rewrites must have replaced every one. */
function notTsql(statements: string): string[] {
  const forms: Array<[RegExp, string]> = [
    [/\blimit\b/i, 'LIMIT'],
    [/\breturning\b/i, 'RETURNING'],
    [/\bon conflict\b/i, 'ON CONFLICT'],
    [/::/, 'a PostgreSQL cast'],
    [/"excluded"/, 'EXCLUDED'],
    [/\bserial\b/i, 'SERIAL'],
    [/\bautoincrement\b/i, 'AUTOINCREMENT'],
    [/\bif not exists\b/i, 'IF NOT EXISTS'],
    [/ text[ ,)]/i, 'the deprecated TEXT type'],
  ];
  return statements.split(/;\n/).flatMap((s) => forms.filter(([re]) => re.test(s)).map(([, what]) => `${what}: ${s.trim()}`));
}

async function drain(gen: AsyncGenerator<unknown>): Promise<void> {
  for await (const _ of gen);
}

describe('SQL Server: migrations and the adapter, compiled without a server', () => {
  it('migrations, up then down', async () => {
    const { db, compiled } = compileOnlyDb(TABLES);
    await migrateUp(db);
    for (const m of Object.values(migrationsFor({ dialect: 'mssql', tables: db.tables })).reverse()) await m.down?.(db.kysely);
    const text = `${compiled.join(';\n')};\n`;
    expect(notTsql(text)).toEqual([]);
    expect(text).toMatch(/create table "orders" \("id" integer identity primary key/);
    expect(text).toMatch(/create unique index "orders_monday_item_uq" on "orders" \("monday_item_id"\) where "monday_item_id" is not null/);
    await expect(text).toMatchFileSnapshot('__snapshots__/mssql/migrations.sql');
  });

  it("the adapter's own statements: staging, row order, locks", async () => {
    const { db, compiled } = compileOnlyDb(TABLES);
    const a = dialectAdapter('mssql');
    const mark = (what: string) => compiled.push(`-- ${what}`);
    mark('staging table (ingest)');
    await createStagingTable(db.raw, STAGING, [{ name: 'AAG ORDER NUMBER', type: 'text' }, { name: 'XS', type: 'integer' }], 'mssql', { withSource: true });
    await addSourceColumns(db.raw, STAGING, ['AAG ORDER NUMBER', 'XS'], 'mssql');
    await new RowInserter(db.raw, STAGING, ['AAG ORDER NUMBER', 'XS']).insert([['A1', 2], ['A2', 3]]);
    await lastSourceSeq(db.raw, STAGING);
    await existingColumns(db.raw, STAGING);
    await a.lockStagingForLoad(db.raw, STAGING);
    mark('staging read (merge)');
    await a.columns(db.raw, STAGING);
    await a.holdStaging(db.raw, STAGING);
    const writer = await openMergeWriter(db.kysely as unknown as Kysely<any>, a, db.tables);
    await drain(writer.readStaging({ table: STAGING, columns: ['AAG ORDER NUMBER', 'XS', 'ordersync_source_file', 'ordersync_source_row', 'ordersync_source_line'], orderBy: 'ordersync_source_seq', batchSize: 500 }));
    await distinctValues(db.raw, STAGING, 'ORDER TYPE');
    mark('merge writes (the query builder: SQL Server has no hot loop of its own)');
    const row: OrderRow = {
      order_key: 'A1', key_values: '["A1"]', customer: 'C', customer_season: null, aag_season: null, order_type: 'RECEIVED', total_qty: 2, group_name: 'C', item_name: 'A1',
      fields_json: '{}', row_hash: 'h', lines_hash: 'l', is_cancelled: 0, in_staging: 1, action: 'INSERT', sync_state: 'PENDING', pending_since: null, staging_row: 1, last_run_id: null, updated_at: 'now',
    };
    await writer.ordersByKey(['A1', 'A2']);
    await writer.linesOf([1, 2]);
    await writer.insertOrders([row, { ...row, order_key: 'A2' }], 'now');
    await writer.updateOrders([{ id: 1, row, resetRetry: true }]);
    await writer.setRowHashes([{ id: 1, row_hash: 'h2' }]);
    await writer.insertLines([{ order_id: 1, size: 'XS', size_position: 0, qty: 2, action: 'INSERT', sync_state: 'PENDING', created_at: 'now', updated_at: 'now' }]);
    await writer.updateLines([{ id: 1, qty: 3, action: 'INSERT', sync_state: 'PENDING', updated_at: 'now' }]);
    await writer.deleteLines([1, 2]);
    mark('run lock (application lock owned by the session)');
    await a.sessionLock!.tryAcquire(db.raw, 'ordersync:dev');
    await a.sessionLock!.release(db.raw, 'ordersync:dev');
    const text = `${compiled.join(';\n')};\n`;
    expect(notTsql(text)).toEqual([]);
    await expect(text).toMatchFileSnapshot('__snapshots__/mssql/adapter.sql');
  });

  it('a staging table that ingest did not load cannot be read: SQL Server has no row order to read it in', async () => {
    const { db } = compileOnlyDb(TABLES);
    const writer = await openMergeWriter(db.kysely as unknown as Kysely<any>, dialectAdapter('mssql'), db.tables);
    await expect(drain(writer.readStaging({ table: STAGING, columns: ['AAG ORDER NUMBER'], orderBy: null, batchSize: 500 }))).rejects.toThrow(/was not loaded by `ordersync ingest`; SQL Server has no row order/);
  });

  it('the run lock asks for the application lock and, refused, says the run is locked', async () => {
    const { db, compiled } = compileOnlyDb(TABLES);
    // The driver answers no rows: sp_getapplock's result is missing, which is not a grant.
    await expect(withRunLock(db, 'dev', async () => 'ran')).rejects.toThrow(/run already in progress for "dev"/);
    expect(compiled[0]).toMatch(/exec @r = sp_getapplock @Resource = \?, @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = 0/);
  });
});

describe('SQL Server: the statements of a real run, compiled', () => {
  let env: SyncEnv;
  const recorder = new MssqlRecorder();
  let db: Db;

  beforeAll(async () => {
    env = await createSyncEnv({ engine: 'sqlite' });
    db = recorder.watch(env.db);
    const jobEnv = { ...process.env, ...env.envVars } as NodeJS.ProcessEnv;
    const day1: StagingRow[] = [...generateStaging({ seed: 7, orders: 12, customers: 2, mess: false }).rows];
    await env.load(day1);
    recorder.phase = 'merge';
    await merge(db, env.cfg.settings);
    recorder.phase = 'run';
    await runJob(db, env.cfg, { command: 'run', envVars: jobEnv });
    recorder.phase = 'setup';
    await env.load(nextDay(day1, { seed: 8, changeShare: 0.5, cancelShare: 0.2, vanishShare: 0.1, newShare: 0.2 }).rows);
    recorder.phase = 'run';
    await runJob(db, env.cfg, { command: 'run', envVars: jobEnv });
    recorder.phase = 'queries';
    const key = (await db.kysely.selectFrom('orders').select('order_key').orderBy('id').limit(1).executeTakeFirstOrThrow()).order_key;
    const runs = await lastRuns(db, { env: env.cfg.envName });
    await runById(db, runs[0]!.id);
    await statusSnapshot(db, env.cfg.envName);
    await backlog(db);
    await rowsByState(db);
    await errorsByCode(db, { customer: 'X' });
    await orderHistory(db, key, { withBodies: true });
    await buildReport(db, env.cfg.settings.alerts, { env: env.cfg.envName });
    await prune(db, 3650);
  }, 120_000);
  afterAll(async () => {
    await env?.close();
  });

  const families: Array<[string, string, string[] | undefined]> = [
    ['merge reads and writes', 'merge', undefined],
    ['sync row updates', 'run', ['orders', 'order_lines']],
    ['board cache (groups, columns)', 'run', ['monday_groups', 'board_schemas']],
    ['run record, journal, API log and schema check', 'run', ['sync_runs', 'sync_events', 'api_log', 'ordersync_migrations']],
    ['lock (lease rows)', 'run', ['run_lock']],
    ['queries for status and report', 'queries', undefined],
  ];

  it.each(families)('%s', async (name, phase, tables) => {
    const text = recorder.text(phase, tables);
    expect(text).not.toBe('');
    expect(notTsql(text)).toEqual([]);
    await expect(text).toMatchFileSnapshot(`__snapshots__/mssql/${name.split(' ')[0]!.replace(/[^a-z]/g, '')}-${phase}.sql`);
  });

  it('every table the run touched is in one of the families', () => {
    const covered = new Set(families.filter(([, p]) => p === 'run').flatMap(([, , t]) => t ?? []));
    expect([...(recorder.statements.get('run')?.keys() ?? [])].filter((t) => !covered.has(t))).toEqual([]);
  });
});
