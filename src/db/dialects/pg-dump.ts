import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, OrdersyncError } from '../../errors.js';
import type { BackupRequest, BackupResult } from './adapter.js';

/**
 * PostgreSQL's backup: pg_dump of ordersync's tables (the staging table is upstream's input,
 * reloaded by ingest), or with `printCommand` its command line, naming the URL variable, never its value.
 */
export async function pgDumpBackup(req: BackupRequest): Promise<BackupResult> {
  if (req.printCommand) {
    const args = [...pgDumpArgs(req.tables), `--file=${req.written}`].map(shellQuote).join(' ');
    return { dialect: 'postgres', tables: req.tables, command: `pg_dump ${args} --dbname="$${req.urlEnv}"` };
  }
  req.refuseExisting();
  const url = req.target().url ?? '';
  mkdirSync(dirname(req.file), { recursive: true });
  const bytes = await pgDump(req.dumpTool ?? 'pg_dump', pgDumpArgs(req.tables), libpqEnvironment(url, req.urlEnv, req.envVars), req.file);
  return { dialect: 'postgres', file: req.file, tables: req.tables, bytes };
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
