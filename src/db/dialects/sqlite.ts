import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { DummyDriver, SqliteAdapter, SqliteDialect, SqliteIntrospector, SqliteQueryCompiler, sql } from 'kysely';
import { DIALECT_SETTINGS } from '../../config/index.js';
import { ConfigError } from '../../errors.js';
import { ensurePrivateFile, writePrivately } from '../../private-file.js';
import type { DialectAdapter } from './adapter.js';

function openFile(path: string): Database.Database {
  if (path !== ':memory:' && !existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    // The database holds order data and the API log; SQLite gives its -wal and -shm files the same mode.
    ensurePrivateFile(path);
  }
  const database = new Database(path);
  database.pragma('journal_mode = WAL');
  // Another process (a second run, `status`, the dashboard) may hold the write lock briefly.
  database.pragma('busy_timeout = 10000');
  database.pragma('foreign_keys = ON');
  database.pragma('synchronous = NORMAL');
  return database;
}

/**
 * SQLite: one file, one writer at a time. The run lock is a lease row (SQLite has no session
 * locks); a transaction is one snapshot on its own, and its first write takes the database.
 */
export const sqlite: DialectAdapter = {
  ...DIALECT_SETTINGS.sqlite,
  name: 'sqlite',
  family: 'sqlite',
  createsOnOpen: true,
  hostsJobQueue: false,
  // SQLITE_MAX_VARIABLE_NUMBER since 3.32.
  parameterLimit: 32_766,
  // SQLITE_MAX_COLUMN as compiled into better-sqlite3.
  columnLimit: 2000,
  foldsIdentifierCase: true,
  stagingTypes: { text: 'text', integer: 'integer', decimal: 'real', date: 'text' },
  ownText: { key: 'text', text: 'text' },

  async open(target) {
    const database = openFile(target.path ?? ':memory:');
    // Kysely's SQLite driver runs every query and transaction on this one connection.
    return { dialect: new SqliteDialect({ database }), close: async () => undefined, rawHandle: async () => ({ driver: 'better-sqlite3', database }) };
  },
  compiler: () => ({
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  }),

  async columns(db, table) {
    return (await sql<{ name: string; type: string }>`select name, type from pragma_table_info(${table}) order by cid`.execute(db)).rows;
  },
  physicalOrder: { position: sql`rowid`, start: 0, after: (value) => sql`rowid > ${value}` },
  firstRows: (n) => sql`limit ${n}`,
  async numberRows(db, table, column) {
    await sql`update ${sql.table(table)} set ${sql.ref(column)} = rowid`.execute(db);
  },
  // The merge's transaction holds the database's write lock: nothing else writes meanwhile.
  holdStaging: async () => undefined,
  // The load waits busy_timeout for the merge's write lock, then fails SQLITE_BUSY.
  lockStagingForLoad: async () => undefined,
  isLockRefused(err) {
    for (let e: unknown = err; e instanceof Error; e = e.cause) {
      if ((e as { code?: string }).code?.startsWith('SQLITE_BUSY')) return true;
    }
    return false;
  },

  // SQLite's online backup API: a run may be writing meanwhile, and the copy is consistent.
  async backup(req) {
    req.refuseExisting();
    const source = req.target().path ?? '';
    if (!existsSync(source)) throw new ConfigError(`SQLite database ${source} does not exist (database.sqlite_path)`);
    if (req.file === source) throw new ConfigError('the backup file cannot be the database itself');
    mkdirSync(dirname(req.file), { recursive: true });
    const db = new Database(source, { readonly: true, fileMustExist: true });
    try {
      // SQLite writes into the empty private temp file (and gives its journal the same mode).
      const meta = await writePrivately(req.file, (temp) => db.backup(temp), { exclusive: !existsSync(req.file) });
      return { dialect: 'sqlite', file: req.file, pages: meta.totalPages };
    } finally {
      db.close();
    }
  },

  withId: (t) => t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()),
  // NULLs are distinct in a SQLite unique index.
  uniqueAllowingNulls: (index) => index,
  dropIndex: (drop) => drop,
  jsonEntries: (query, column, alias) => query.innerJoin(sql`json_each(${sql.ref(column)})`.as(alias), (join) => join.onTrue()),
};
