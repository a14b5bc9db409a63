import type { DialectSettings, Settings } from '../../config/index.js';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import type { ClientBase } from 'pg';
import type { CreateIndexBuilder, CreateTableBuilder, Dialect, DropIndexBuilder, Kysely, KyselyPlugin, RawBuilder, SelectQueryBuilder } from 'kysely';

/** The `database.dialect` names a configuration may choose (each has one adapter). */
export type DialectName = Settings['database']['dialect'];

/** The SQL a dialect speaks: PGlite is PostgreSQL built for WebAssembly, so it speaks PostgreSQL. */
export type SqlFamily = 'sqlite' | 'postgres' | 'mssql';

/** Column types staging tables are created with (ingest, sample data). */
export type ColumnType = 'text' | 'integer' | 'decimal' | 'date';

/**
 * Text types of ordersync's own tables: `key` for text a constraint or index covers (SQL Server
 * cannot index unbounded text), `text` for the rest.
 */
export interface OwnTextTypes {
  key: string;
  text: string;
}

/** Where a database is: a file or folder (absolute), or a server URL. */
export interface DialectTarget {
  path?: string;
  url?: string;
}

/**
 * The driver's own connection under a transaction: the merge's hot loop runs on it
 * (src/db/dialects/merge-writer.ts), as arrays and prepared statements Kysely does not offer.
 */
export type RawHandle = { driver: 'better-sqlite3'; database: SqliteDatabase } | { driver: 'pg'; client: ClientBase };

export interface OpenedDialect {
  dialect: Dialect;
  /** Releases what Kysely's destroy() does not (PGlite's embedded server). */
  close(): Promise<void>;
  /**
   * The driver connection `trx` (a transaction of a Kysely on this dialect) runs on; undefined
   * where the engine has none to offer or it cannot be told apart (PGlite, SQL Server, a pooler
   * in front of PostgreSQL): the hot loop then goes through Kysely.
   */
  rawHandle?(trx: Kysely<any>): Promise<RawHandle | undefined>;
}

/**
 * A lock owned by one database session, released by the server when the session ends (a
 * crashed run never leaves it behind). `conn` is one connection held for the lock's life.
 */
export interface SessionLock {
  tryAcquire(conn: Kysely<any>, key: string): Promise<boolean>;
  release(conn: Kysely<any>, key: string): Promise<void>;
  /** Does any session hold it now? Asked without taking it, so a job starting meanwhile is never refused by the asking. */
  isHeld(conn: Kysely<any>, key: string): Promise<boolean>;
}

/** How an engine's physical row order is read, for staging tables that ingest did not load. */
export interface PhysicalOrder {
  position: RawBuilder<unknown>;
  /** A position below every row. */
  start: unknown;
  /** `position > value`, with the value cast as the engine needs. */
  after(value: unknown): RawBuilder<unknown>;
}

export interface BackupRequest {
  /** The backup file, absolute. */
  file: string;
  /** The file as given (a printed command runs elsewhere). */
  written: string;
  /** ordersync's tables under their physical names. */
  tables: string[];
  /** Server engines: return the dump command instead of running it. */
  printCommand: boolean;
  urlEnv: string;
  /** Where the database is; reads the URL variable only when called. */
  target(): DialectTarget;
  envVars: NodeJS.ProcessEnv;
  /** The dump program to run; default: the one on PATH. */
  dumpTool?: string;
  /** Throws when the file exists and --force was not given; called before anything is written. */
  refuseExisting(): void;
}

export interface BackupResult {
  dialect: DialectName;
  /** The file written (SQLite, or PostgreSQL unless printCommand). */
  file?: string;
  /** SQLite: pages copied. */
  pages?: number;
  /** PostgreSQL: the tables dumped. */
  tables?: string[];
  /** PostgreSQL: the pg_dump command line (the URL stays in its variable). */
  command?: string;
  bytes?: number;
}

/**
 * Everything ordersync does differently per database engine, in one object per engine
 * (src/db/dialects/<name>.ts), as Kysely keeps one folder per dialect. Code outside
 * src/db/dialects/ asks the adapter; it never compares dialect names (tests/architecture).
 */
export interface DialectAdapter extends DialectSettings {
  readonly name: DialectName;
  readonly family: SqlFamily;
  /** Opening a database that is not there creates it (a file): read-only commands check first. */
  readonly createsOnOpen: boolean;
  /** pg-boss (the multi-machine job queue) can live in this database. */
  readonly hostsJobQueue: boolean;
  /** Most bound parameters one statement may carry. */
  readonly parameterLimit: number;
  /** Most columns one table may have. */
  readonly columnLimit: number;
  /** Identifiers differing only in case name the same column. */
  readonly foldsIdentifierCase: boolean;
  /** Staging column types. */
  readonly stagingTypes: Readonly<Record<ColumnType, string>>;

  open(target: DialectTarget): Promise<OpenedDialect>;
  /** A Kysely dialect that compiles this engine's SQL and never connects. */
  compiler(): Dialect;
  /** Rewrites every query on this engine passes through before it is compiled. */
  plugins?(): KyselyPlugin[];

  /** A table's columns (name and declared type) in physical order; empty when there is no such table. */
  columns(db: Kysely<any>, table: string): Promise<Array<{ name: string; type: string }>>;
  /** Physical row order, or undefined when the engine has none a query can read (staging must come from ingest). */
  readonly physicalOrder?: PhysicalOrder;
  /** `limit n` in raw SQL, after the ORDER BY. */
  firstRows(n: number): RawBuilder<unknown>;
  /** Numbers the rows a table already holds, in the order it holds them, into `column`. */
  numberRows(db: Kysely<any>, table: string, column: string): Promise<void>;
  /** Inside the merge's transaction: keep staging as it was read until the merge commits. */
  holdStaging(trx: Kysely<any>, table: string): Promise<void>;
  /** Inside an ingest's transaction: refuse at once when a merge holds staging (fails as isLockRefused says). */
  lockStagingForLoad(trx: Kysely<any>, table: string): Promise<void>;
  /** Is this error the engine saying the lock was not granted (the table is in use)? */
  isLockRefused(err: unknown): boolean;
  /** The merge reads one snapshot: the isolation level its transaction needs, if any. */
  readonly snapshotIsolation?: 'repeatable read' | 'snapshot';
  /** The run lock: a session lock when the engine has one per connection; else a lease row. */
  readonly sessionLock?: SessionLock;

  /** `ordersync backup`: a consistent copy of ordersync's tables, or a ConfigError saying how this engine is backed up. */
  backup(req: BackupRequest): Promise<BackupResult>;

  /** Migrations: an auto-incrementing surrogate key. */
  withId<T extends string>(t: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'>;
  /** Migrations: the engine's text types. */
  readonly ownText: OwnTextTypes;
  /** Migrations: a unique index on a nullable column that admits many NULLs. */
  uniqueAllowingNulls(index: CreateIndexBuilder<any>, column: string): CreateIndexBuilder<any>;
  /** Migrations: dropping an index (some engines need its table). */
  dropIndex(drop: DropIndexBuilder, table: string): DropIndexBuilder;
  /** Migrations (views): `query` joined with the name/value pairs of the JSON object in `column`, as `alias`.key / `alias`.value. */
  jsonEntries(query: SelectQueryBuilder<any, any, any>, column: string, alias: string): SelectQueryBuilder<any, any, any>;
}
