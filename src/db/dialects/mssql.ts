import { DummyDriver, MssqlAdapter, MssqlDialect, MssqlIntrospector, MssqlQueryCompiler, sql } from 'kysely';
import { DIALECT_SETTINGS } from '../../config/index.js';
import { ConfigError } from '../../errors.js';
import type { DialectAdapter } from './adapter.js';
import { TsqlPlugin } from './mssql-tsql.js';

/** Text compares by code point, as on SQLite and PostgreSQL (SQL Server's default collation ignores case). */
const BINARY = 'collate Latin1_General_100_BIN2';

/** mssql://USER:PASSWORD@HOST:PORT/DATABASE?encrypt=true&trustServerCertificate=false */
function connectionOptions(url: string) {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError('the SQL Server URL is not a URL: expected mssql://USER:PASSWORD@HOST:PORT/DATABASE');
  }
  const flag = (name: string, fallback: boolean) => {
    const v = u.searchParams.get(name);
    return v === null ? fallback : v === 'true';
  };
  return {
    server: decodeURIComponent(u.hostname.replace(/^\[(.*)\]$/, '$1')),
    authentication: { type: 'default' as const, options: { userName: decodeURIComponent(u.username), password: decodeURIComponent(u.password) } },
    options: {
      port: Number(u.port || 1433),
      database: decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined,
      encrypt: flag('encrypt', true),
      trustServerCertificate: flag('trustServerCertificate', false),
      connectTimeout: 10_000,
    },
  };
}

/**
 * SQL Server, the prior system's engine, on Kysely's MssqlDialect (tedious + tarn). Every
 * statement is compile-tested (tests/db/mssql-compile.test.ts); it runs against a server only
 * where ORDERSYNC_TEST_MSSQL_URL is set. The run lock is an application lock owned by the
 * session (sp_getapplock), released by the server when the connection ends.
 */
export const mssql: DialectAdapter = {
  ...DIALECT_SETTINGS.mssql,
  name: 'mssql',
  family: 'mssql',
  createsOnOpen: false,
  hostsJobQueue: false,
  // 2,100 per request; sp_executesql takes two for the statement and its declaration.
  parameterLimit: 2_098,
  columnLimit: 1024,
  // The default collation compares identifiers without regard to case.
  foldsIdentifierCase: true,
  stagingTypes: { text: 'nvarchar(max)', integer: 'int', decimal: 'decimal(18,4)', date: 'date' },
  // Unbounded text cannot be indexed; two key columns (a composite primary key) fit a clustered index's 900 bytes.
  ownText: { key: `nvarchar(225) ${BINARY}`, text: `nvarchar(max) ${BINARY}` },

  async open(target) {
    if (!target.url) throw new Error('SQL Server target without a URL');
    const options = connectionOptions(target.url);
    const [Tedious, Tarn] = await Promise.all([import('tedious'), import('tarn')]);
    const dialect = new MssqlDialect({
      // A failed connection fails the query waiting for it, at once, instead of being retried until the acquire times out.
      tarn: { ...Tarn, options: { min: 0, max: 5, acquireTimeoutMillis: 15_000, propagateCreateError: true } },
      tedious: { ...Tedious, connectionFactory: () => new Tedious.Connection(options) },
    });
    return { dialect, close: async () => undefined };
  },
  compiler: () => ({
    createAdapter: () => new MssqlAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new MssqlIntrospector(db),
    createQueryCompiler: () => new MssqlQueryCompiler(),
  }),
  plugins: () => [new TsqlPlugin()],

  async columns(db, table) {
    // object_id parses its argument as a (schema-qualified) name: each part is quoted, so spaces and quotes survive.
    const dot = table.indexOf('.');
    const name = dot > 0 ? sql`quotename(${table.slice(0, dot)}) + '.' + quotename(${table.slice(dot + 1)})` : sql`quotename(${table})`;
    return (
      await sql<{ name: string; type: string }>`
        select c.name as name, t.name as type from sys.columns c join sys.types t on t.user_type_id = c.user_type_id
        where c.object_id = object_id(${name}) order by c.column_id`.execute(db)
    ).rows;
  },
  // No row position a query can read: staging on SQL Server is read in ingest's file order.
  physicalOrder: undefined,
  firstRows: (n) => sql`offset 0 rows fetch next ${n} rows only`,
  async numberRows(db, table, column) {
    await sql`with n as (select ${sql.ref(column)} as seq, row_number() over (order by (select null)) as rn from ${sql.table(table)})
      update n set seq = rn`.execute(db);
  },
  // A shared table lock held to the end of the merge's transaction: an ingest cannot write under it.
  async holdStaging(trx, table) {
    await sql`select count(*) as n from ${sql.table(table)} with (tablock, holdlock)`.execute(trx);
  },
  async lockStagingForLoad(trx, table) {
    await sql`select count(*) as n from ${sql.table(table)} with (tablockx, holdlock, nowait)`.execute(trx);
  },
  // 1222: lock request time out period exceeded (NOWAIT).
  isLockRefused(err) {
    for (let e: unknown = err; e instanceof Error; e = e.cause) if ((e as { number?: number }).number === 1222) return true;
    return false;
  },
  sessionLock: {
    async tryAcquire(conn, key) {
      const { rows } = await sql<{ r: number }>`declare @r int;
        exec @r = sp_getapplock @Resource = ${key}, @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = 0;
        select @r as r`.execute(conn);
      return (rows[0]?.r ?? -1) >= 0;
    },
    async release(conn, key) {
      await sql`exec sp_releaseapplock @Resource = ${key}, @LockOwner = 'Session'`.execute(conn);
    },
    async isHeld(conn, key) {
      const { rows } = await sql<{ free: number }>`select APPLOCK_TEST('public', ${key}, 'Exclusive', 'Session') as free`.execute(conn);
      return rows[0]?.free === 0;
    },
  },

  backup: async () => {
    throw new ConfigError('backup supports sqlite and postgres; back a SQL Server database up with BACKUP DATABASE (or the server\'s maintenance plan)');
  },

  withId: (t) => t.addColumn('id', 'integer', (c) => c.identity().primaryKey()),
  // A SQL Server unique index holds one NULL at most; a filtered index leaves NULLs out.
  uniqueAllowingNulls: (index, column) => index.where(sql.ref(column), 'is not', null),
  dropIndex: (drop, table) => drop.on(table),
  // A function of the outer row needs CROSS APPLY in T-SQL; OPENJSON yields [key] and [value].
  jsonEntries: (query, column, alias) => query.crossApply(sql`openjson(${sql.ref(column)})`.as(alias)),
};
