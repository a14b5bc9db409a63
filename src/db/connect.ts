import { Kysely, type Dialect } from 'kysely';
import type { ResolvedConfig } from '../config/load.js';
import { resolveFromConfig } from '../config/paths.js';
import { requireSecret } from '../config/secrets.js';
import { ConfigError } from '../errors.js';
import type { Settings } from '../config/schema.js';
import { sqliteDialect } from './dialects/sqlite.js';
import { TableNamesPlugin, type TableNames } from './table-names.js';
import type { Database } from './types.js';

export type DialectName = Settings['database']['dialect'];

export interface Db {
  /** ordersync's own tables, typed, under their configured names. */
  kysely: Kysely<Database>;
  /** Untyped access for the staging table, whose columns are the customer's. */
  raw: Kysely<any>;
  dialect: DialectName;
  tables: TableNames;
  migrationTable: string;
  close(): Promise<void>;
}

export interface DatabaseTarget {
  dialect: DialectName;
  /** SQLite file or PGlite data dir (absolute), or undefined for in-memory PGlite. */
  path?: string;
  /** PostgreSQL connection string. */
  url?: string;
  tables: Settings['database']['tables'];
}

/** Where the selected environment's database is; resolves url_env only for PostgreSQL. */
export function databaseTarget(cfg: ResolvedConfig, envVars: NodeJS.ProcessEnv = process.env): DatabaseTarget {
  const d = cfg.settings.database;
  switch (d.dialect) {
    case 'sqlite':
      return { dialect: 'sqlite', path: resolveFromConfig(cfg, d.sqlite_path), tables: d.tables };
    case 'pglite':
      return { dialect: 'pglite', path: d.pglite_path ? resolveFromConfig(cfg, d.pglite_path) : undefined, tables: d.tables };
    case 'postgres':
      return { dialect: 'postgres', url: requireSecret(cfg, d.url_env, 'database.url_env', envVars), tables: d.tables };
  }
}

/**
 * PGlite (embedded PostgreSQL, for tests and rehearsals) is a development dependency: the installed
 * tool neither ships nor loads it unless the pglite dialect is chosen.
 */
async function loadPglite(): Promise<typeof import('./dialects/pglite.js')> {
  try {
    return await import('./dialects/pglite.js');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
      throw new ConfigError('database.dialect = "pglite" needs @electric-sql/pglite and kysely-pglite-dialect: `npm install @electric-sql/pglite kysely-pglite-dialect` next to ordersync, or use sqlite/postgres', { cause: err });
    }
    throw err;
  }
}

export async function openDatabase(target: DatabaseTarget): Promise<Db> {
  let dialect: Dialect;
  let closeDriver: () => Promise<void> = async () => undefined;
  if (target.dialect === 'sqlite') {
    dialect = sqliteDialect(target.path ?? ':memory:').dialect;
  } else if (target.dialect === 'postgres') {
    if (!target.url) throw new Error('PostgreSQL target without a URL');
    dialect = (await import('./dialects/postgres.js')).postgresDialect(target.url).dialect;
  } else {
    const p = await loadPglite().then((m) => m.pgliteDialect(target.path));
    dialect = p.dialect;
    closeDriver = async () => {
      if (!p.client.closed) await p.client.close();
    };
  }
  const { migrations, ...logical } = target.tables;
  const raw = new Kysely<any>({ dialect });
  const kysely = raw.withPlugin(new TableNamesPlugin(logical)) as unknown as Kysely<Database>;
  return {
    kysely,
    raw,
    dialect: target.dialect,
    tables: logical,
    migrationTable: migrations,
    async close() {
      await raw.destroy();
      await closeDriver();
    },
  };
}
