import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ResolvedConfig } from '../config/load.js';
import { resolveFromConfig } from '../config/paths.js';
import { requireSecret } from '../config/secrets.js';
import { ConfigError, OrdersyncError } from '../errors.js';
import { writePrivately } from '../private-file.js';

export interface BackupResult {
  dialect: string;
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
 * A pg_dump `--table` pattern matching exactly one table. pg_dump patterns fold unquoted
 * names to lower case and treat `*`, `?`, `.` and regex characters as wildcards; inside
 * double quotes every character is literal and `"` is written twice.
 */
export function tablePattern(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The pg_dump arguments, output excluded: custom format, exactly the named tables, each required to exist. */
export function pgDumpArgs(tables: readonly string[]): string[] {
  return ['--format=custom', '--strict-names', '--no-password', ...tables.map((t) => `--table=${tablePattern(t)}`)];
}

/**
 * `ordersync backup --out file`. SQLite: an online backup through SQLite's backup API (a run
 * may be writing meanwhile; the copy is consistent). PostgreSQL: runs pg_dump for ordersync's
 * tables (the staging table is upstream's input, reloaded by ingest), or with `printCommand` returns
 * its command line, naming the URL variable, never its value.
 */
export async function runBackup(cfg: ResolvedConfig, out: string, opts: BackupOptions = {}): Promise<BackupResult> {
  const d = cfg.settings.database;
  const target = resolveFromConfig({ dir: opts.cwd ?? process.cwd() }, out);
  if (d.dialect === 'postgres' && opts.printCommand) {
    const tables = ownedTables(cfg);
    const args = [...pgDumpArgs(tables), `--file=${out}`].map(shellQuote).join(' ');
    return { dialect: 'postgres', tables, command: `pg_dump ${args} --dbname="$${d.url_env}"` };
  }
  if (existsSync(target) && !opts.force) throw new ConfigError(`${target} exists; pass --force to overwrite it`);
  if (d.dialect === 'sqlite') {
    const source = resolveFromConfig(cfg, d.sqlite_path);
    if (!existsSync(source)) throw new ConfigError(`SQLite database ${source} does not exist (database.sqlite_path)`);
    if (target === source) throw new ConfigError('the backup file cannot be the database itself');
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
    const url = requireSecret(cfg, d.url_env, 'database.url_env', opts.envVars ?? process.env);
    const tables = ownedTables(cfg);
    mkdirSync(dirname(target), { recursive: true });
    const bytes = await pgDump(opts.pgDump ?? 'pg_dump', pgDumpArgs(tables), libpqEnvironment(url, d.url_env, opts.envVars ?? process.env), target);
    return { dialect: 'postgres', file: target, tables, bytes };
  }
  throw new ConfigError('backup supports sqlite and postgres; a pglite data directory is copied while nothing runs');
}

/**
 * pg_dump writes to a file created 0600 before its first byte, under a temporary name renamed
 * into place only when pg_dump succeeded: a failed or interrupted dump never looks like a backup.
 */
async function pgDump(bin: string, args: string[], env: NodeJS.ProcessEnv, target: string): Promise<number> {
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const fd = openSync(partial, 'wx', 0o600);
  let errText = '';
  try {
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(bin, args, { env, stdio: ['ignore', fd, 'pipe'] });
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (s: string) => (errText += s));
      child.on('error', (err: NodeJS.ErrnoException) => {
        reject(
          err.code === 'ENOENT'
            ? new ConfigError(`${bin} not found on PATH: install the PostgreSQL client tools (the same major version as the server, or newer), or print the command with --print-command`)
            : err,
        );
      });
      child.on('close', (status) => resolve(status ?? 1));
    });
    if (code !== 0) throw new OrdersyncError(`pg_dump failed (exit ${code}): ${errText.trim() || 'no message'}; no backup was written`);
  } catch (err) {
    closeSync(fd);
    rmSync(partial, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(partial, target);
  return readFileSync(target).byteLength;
}

/**
 * The connection for pg_dump as libpq variables, so the password never appears on a command
 * line (where `ps` shows it to every user of the host).
 */
export function libpqEnvironment(url: string, urlEnv: string, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(`${urlEnv} is not a URL (postgres://user:password@host:port/database)`);
  }
  const env: NodeJS.ProcessEnv = { ...base };
  for (const k of Object.keys(env)) if (k.startsWith('PG')) delete env[k];
  if (u.hostname) env.PGHOST = decodeURIComponent(u.hostname.replace(/^\[(.*)\]$/, '$1'));
  if (u.port) env.PGPORT = u.port;
  if (u.username) env.PGUSER = decodeURIComponent(u.username);
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (database) env.PGDATABASE = database;
  for (const [key, value] of u.searchParams) {
    const name = libpqParameters[key];
    if (!name) throw new ConfigError(`${urlEnv}: URL parameter "${key}" is not one pg_dump understands (${Object.keys(libpqParameters).join(', ')})`);
    env[name] = value;
  }
  return env;
}

const libpqParameters: Record<string, string> = {
  host: 'PGHOST',
  port: 'PGPORT',
  user: 'PGUSER',
  password: 'PGPASSWORD',
  dbname: 'PGDATABASE',
  sslmode: 'PGSSLMODE',
  sslrootcert: 'PGSSLROOTCERT',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  application_name: 'PGAPPNAME',
  connect_timeout: 'PGCONNECT_TIMEOUT',
  options: 'PGOPTIONS',
  target_session_attrs: 'PGTARGETSESSIONATTRS',
};

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./=-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}
