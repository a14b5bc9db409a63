import { existsSync } from 'node:fs';
import { resolveFromConfig, type ResolvedConfig } from '../config/index.js';
import { databaseTarget, dialectAdapter, type BackupResult } from '../db/index.js';
import { ConfigError } from '../errors.js';

export type { BackupResult } from '../db/index.js';

export interface BackupOptions {
  force?: boolean;
  cwd?: string;
  /** PostgreSQL: return the pg_dump command instead of running it. */
  printCommand?: boolean;
  envVars?: NodeJS.ProcessEnv;
  /** The pg_dump to run; default: the one on PATH. */
  pgDump?: string;
}

/** Every table ordersync owns, under its configured physical name. */
export function ownedTables(cfg: ResolvedConfig): string[] {
  const t = cfg.settings.database.tables;
  return [t.orders, t.order_lines, t.sync_runs, t.sync_events, t.api_log, t.monday_groups, t.board_schemas, t.run_lock, t.migrations, `${t.migrations}_lock`];
}

/**
 * `ordersync backup --out file`, as the engine's adapter does it. SQLite: an online backup
 * through SQLite's backup API (a run may be writing meanwhile; the copy is consistent).
 * PostgreSQL: pg_dump of ordersync's tables, or with `printCommand` its command line.
 */
export async function runBackup(cfg: ResolvedConfig, out: string, opts: BackupOptions = {}): Promise<BackupResult> {
  const adapter = dialectAdapter(cfg.settings.database.dialect);
  const file = resolveFromConfig({ dir: opts.cwd ?? process.cwd() }, out);
  const envVars = opts.envVars ?? process.env;
  return adapter.backup({
    file,
    written: out,
    tables: ownedTables(cfg),
    printCommand: opts.printCommand ?? false,
    urlEnv: cfg.settings.database.url_env,
    target: () => databaseTarget(cfg, envVars),
    envVars,
    dumpTool: opts.pgDump,
    refuseExisting: () => {
      if (existsSync(file) && !opts.force) throw new ConfigError(`${file} exists; pass --force to overwrite it`);
    },
  });
}
