import { existsSync } from 'node:fs';
import { Kysely } from 'kysely';
import { resolveFromConfig, requireSecret, type ResolvedConfig, type Settings } from '../config/index.js';
import { dialectAdapter, type DialectAdapter, type DialectName, type RawHandle } from './dialects/index.js';
import { TableNamesPlugin, type TableNames } from './table-names.js';
import type { Database } from './types.js';

export type { DialectName } from './dialects/index.js';

export interface Db {
  /** ordersync's own tables, typed, under their configured names. */
  kysely: Kysely<Database>;
  /** Untyped access for the staging table, whose columns are the customer's. */
  raw: Kysely<any>;
  dialect: DialectName;
  /** What this engine does differently (src/db/dialects/). */
  adapter: DialectAdapter;
  tables: TableNames;
  migrationTable: string;
  /** The driver connection under a transaction of `kysely`, where the engine offers one (the merge's hot loop). */
  rawHandle?(trx: Kysely<any>): Promise<RawHandle | undefined>;
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

/** Where the selected environment's database is; resolves url_env only for a server engine. */
export function databaseTarget(cfg: ResolvedConfig, envVars: NodeJS.ProcessEnv = process.env): DatabaseTarget {
  const d = cfg.settings.database;
  const at = dialectAdapter(d.dialect).location;
  if (at === 'url_env') return { dialect: d.dialect, url: requireSecret(cfg, d.url_env, 'database.url_env', envVars), tables: d.tables };
  const path = d[at];
  return { dialect: d.dialect, path: path === undefined ? undefined : resolveFromConfig(cfg, path), tables: d.tables };
}

/** A database file that opening would create: commands that only read refuse instead. */
export function notCreatedYet(target: DatabaseTarget): boolean {
  return dialectAdapter(target.dialect).createsOnOpen && target.path !== undefined && !existsSync(target.path);
}

export async function openDatabase(target: DatabaseTarget): Promise<Db> {
  const adapter = dialectAdapter(target.dialect);
  const opened = await adapter.open(target);
  const { migrations, ...logical } = target.tables;
  const raw = new Kysely<any>({ dialect: opened.dialect, plugins: adapter.plugins?.() ?? [] });
  const kysely = raw.withPlugin(new TableNamesPlugin(logical)) as unknown as Kysely<Database>;
  return {
    kysely,
    raw,
    dialect: target.dialect,
    adapter,
    tables: logical,
    migrationTable: migrations,
    rawHandle: async (trx) => opened.rawHandle?.(trx),
    async close() {
      await raw.destroy();
      await opened.close();
    },
  };
}
