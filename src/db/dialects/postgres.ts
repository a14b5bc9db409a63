import type { ClientBase } from 'pg';
import { DummyDriver, PostgresAdapter, PostgresDialect, PostgresIntrospector, PostgresQueryCompiler, sql, type Dialect, type Kysely } from 'kysely';
import { DIALECT_SETTINGS, type DialectSettings } from '../../config/index.js';
import type { DialectAdapter } from './adapter.js';
import { pgDumpBackup } from './pg-dump.js';
import { TEXT_AS_IS } from './pg-types.js';

async function pool(connectionString: string, byBackend: Map<number, ClientBase>) {
  const { default: pg } = await import('pg');
  // Counts and complexity totals are BIGINT; they stay far below 2^53, so plain numbers are safe.
  pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
  pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
  for (const [oid, parse] of Object.entries(TEXT_AS_IS)) pg.types.setTypeParser(Number(oid), parse);
  const p = new pg.Pool({ connectionString, max: 5, connectionTimeoutMillis: 10_000 });
  // A connection killed server-side (restart, pg_terminate_backend) must fail the query
  // that used it, not crash the process from an unhandled 'error' event.
  p.on('error', () => undefined);
  // The pool only listens on idle clients: one checked out (the run lock's session, a
  // transaction) emits 'error' on itself, and with no listener that kills the process.
  p.on('connect', (client) => {
    client.on('error', () => undefined);
    // Which client a transaction runs on is told by its server process (rawHandle).
    const pid = (client as { processID?: number | null }).processID;
    if (typeof pid === 'number') byBackend.set(pid, client);
  });
  p.on('remove', (client) => {
    const pid = (client as { processID?: number | null }).processID;
    if (typeof pid === 'number' && byBackend.get(pid) === client) byBackend.delete(pid);
  });
  return p;
}

const LOCK_NOT_AVAILABLE = '55P03';
const stagingLockKey = (table: string) => `ordersync:staging:${table}`;

/** What the PostgreSQL server and PGlite share: the same SQL, catalogue and locks. */
export const postgresSql = {
  family: 'postgres',
  // The wire protocol allows 65,535, but PGlite 0.4 silently loses the connection's results
  // above 32,767 (a signed 16-bit count), so both stay under that.
  parameterLimit: 32_767,
  columnLimit: 1600,
  foldsIdentifierCase: false,
  stagingTypes: { text: 'text', integer: 'integer', decimal: 'numeric(18,4)', date: 'date' },
  ownText: { key: 'text', text: 'text' },
  compiler: (): Dialect => ({
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  }),
  async columns(db: Kysely<any>, table: string) {
    return (
      await sql<{ name: string; type: string }>`
        select column_name as name, data_type as type from information_schema.columns
        where table_name = ${table} and table_schema = current_schema() order by ordinal_position`.execute(db)
    ).rows;
  },
  physicalOrder: { position: sql`ctid`, start: '(0,0)', after: (value: unknown) => sql`ctid > ${value}::tid` },
  firstRows: (n: number) => sql`limit ${n}`,
  async numberRows(db: Kysely<any>, table: string, column: string) {
    await sql`update ${sql.table(table)} as t set ${sql.ref(column)} = n.rn
      from (select ctid as c, row_number() over (order by ctid) as rn from ${sql.table(table)}) as n
      where t.ctid = n.c`.execute(db);
  },
  // Merge and ingest meet on an advisory lock named after the table, not a table lock: `lock table
  // … in share mode` needs UPDATE on staging, and the runtime role of docs/security.md may only
  // read it. ACCESS SHARE (SELECT is enough) keeps DDL and TRUNCATE out until the merge commits.
  async holdStaging(trx: Kysely<any>, table: string) {
    await sql`select pg_advisory_xact_lock_shared(hashtext(${stagingLockKey(table)}))`.execute(trx);
    await sql`lock table ${sql.table(table)} in access share mode`.execute(trx);
  },
  async lockStagingForLoad(trx: Kysely<any>, table: string) {
    const held = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(hashtext(${stagingLockKey(table)})) as ok`.execute(trx);
    if (held.rows[0]?.ok !== true) throw Object.assign(new Error(`staging table "${table}" is held by a merge or another ingest`), { code: LOCK_NOT_AVAILABLE });
    await sql`lock table ${sql.table(table)} in share row exclusive mode nowait`.execute(trx);
  },
  isLockRefused: (err: unknown) => (err as { code?: string }).code === LOCK_NOT_AVAILABLE,
  snapshotIsolation: 'repeatable read',
  withId: (t) => t.addColumn('id', 'serial', (c) => c.primaryKey()),
  // NULLs are distinct in a PostgreSQL unique index.
  uniqueAllowingNulls: (index) => index,
  dropIndex: (drop) => drop,
  jsonEntries: (query, column, alias) => query.innerJoin(sql`jsonb_each_text(${sql.ref(column)}::jsonb)`.as(alias), (join) => join.onTrue()),
} satisfies Omit<DialectAdapter, keyof DialectSettings | 'name' | 'createsOnOpen' | 'hostsJobQueue' | 'open' | 'sessionLock' | 'backup'>;

/**
 * A PostgreSQL server. The run lock is a session advisory lock: it dies with its connection,
 * so a crashed run never leaves one behind; pg-boss can keep the job queue in the same server.
 */
export const postgres: DialectAdapter = {
  ...postgresSql,
  ...DIALECT_SETTINGS.postgres,
  name: 'postgres',
  createsOnOpen: false,
  hostsJobQueue: true,
  async open(target) {
    if (!target.url) throw new Error('PostgreSQL target without a URL');
    const byBackend = new Map<number, ClientBase>();
    return {
      dialect: new PostgresDialect({ pool: await pool(target.url, byBackend) }),
      close: async () => undefined,
      // Kysely keeps a transaction's client private; the server names the process behind it.
      // Behind a pooler that process is not the one the client connected to, and no handle is found.
      async rawHandle(trx) {
        const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]?.pid;
        const client = pid === undefined ? undefined : byBackend.get(Number(pid));
        return client ? { driver: 'pg', client } : undefined;
      },
    };
  },
  backup: pgDumpBackup,
  sessionLock: {
    tryAcquire: async (conn, key) => (await sql<{ ok: boolean }>`select pg_try_advisory_lock(hashtext(${key})) as ok`.execute(conn)).rows[0]?.ok === true,
    release: async (conn, key) => {
      await sql`select pg_advisory_unlock(hashtext(${key}))`.execute(conn);
    },
    // pg_locks shows a one-key advisory lock as its bigint split in two oids (high, low), objsubid 1.
    isHeld: async (conn, key) =>
      (
        await sql<{ held: boolean }>`with k as (select hashtext(${key})::bigint as v)
          select exists (
            select 1 from pg_locks l, k
            where l.locktype = 'advisory' and l.granted and l.objsubid = 1
              and l.database = (select oid from pg_database where datname = current_database())
              and l.classid::bigint = ((k.v >> 32) & x'ffffffff'::bigint) and l.objid::bigint = (k.v & x'ffffffff'::bigint)
          ) as held`.execute(conn)
      ).rows[0]?.held === true,
  },
};
