import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ResolvedConfig } from '../config/load.js';
import { resolveFromConfig } from '../config/paths.js';
import { ConfigError } from '../errors.js';
import { writePrivately } from '../private-file.js';

export interface BackupResult {
  dialect: string;
  /** SQLite: the file written. */
  file?: string;
  pages?: number;
  /** PostgreSQL: the command to run (the URL stays in its variable). */
  command?: string;
}

/** Every table ordersync owns, under its configured physical name. */
export function ownedTables(cfg: ResolvedConfig): string[] {
  const t = cfg.settings.database.tables;
  return [t.orders, t.order_lines, t.sync_runs, t.sync_events, t.api_log, t.monday_groups, t.board_schemas, t.run_lock, t.migrations, `${t.migrations}_lock`];
}

/**
 * `ordersync backup --out file`. SQLite: an online backup through SQLite's backup API (a run
 * may be writing meanwhile; the copy is consistent). PostgreSQL: the pg_dump command for
 * ordersync's tables, naming the URL variable, never its value.
 */
export async function runBackup(cfg: ResolvedConfig, out: string, opts: { force?: boolean; cwd?: string } = {}): Promise<BackupResult> {
  const d = cfg.settings.database;
  if (d.dialect === 'sqlite') {
    const source = resolveFromConfig(cfg, d.sqlite_path);
    if (!existsSync(source)) throw new ConfigError(`SQLite database ${source} does not exist (database.sqlite_path)`);
    const target = resolveFromConfig({ dir: opts.cwd ?? process.cwd() }, out);
    if (target === source) throw new ConfigError('the backup file cannot be the database itself');
    if (existsSync(target) && !opts.force) throw new ConfigError(`${target} exists; pass --force to overwrite it`);
    mkdirSync(dirname(target), { recursive: true });
    const db = new Database(source, { readonly: true, fileMustExist: true });
    try {
      // SQLite writes into the empty private temp file (and gives its journal the same mode).
      const meta = await writePrivately(target, (temp) => db.backup(temp), { exclusive: !opts.force });
      return { dialect: 'sqlite', file: target, pages: meta.totalPages };
    } finally {
      db.close();
    }
  }
  if (d.dialect === 'postgres') {
    const tables = ownedTables(cfg).map((t) => `--table=${shellQuote(t)}`).join(' ');
    return { dialect: 'postgres', command: `pg_dump --format=custom --file=${shellQuote(out)} ${tables} "$${d.url_env}"` };
  }
  throw new ConfigError('backup supports sqlite and postgres; a pglite data directory is copied while nothing runs');
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}
