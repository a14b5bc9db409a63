import { userInfo } from 'node:os';
import { ConfigError, DatabaseError, ExitCode, type OrdersyncError } from '../errors.js';
import type { ResolvedConfig } from '../config/index.js';
import type { DatabaseTarget } from './connect.js';
import { dialectAdapter } from './dialects/index.js';

/**
 * Why the environment's database cannot be used, in one line that names the setting (or
 * the variable holding the URL) and the fix. A wrong setting is a configuration error
 * (exit 3); a server that does not answer is an outage (exit 1).
 */
export function databaseOpenError(err: unknown, cfg: ResolvedConfig, target: DatabaseTarget): OrdersyncError {
  const e = err as Coded & { message?: unknown; cause?: Coded };
  const raw = typeof e.message === 'string' && e.message !== '' ? e.message : String(err);
  const reported = String(e.code ?? e.errors?.[0]?.code ?? '');
  // tedious reports every socket failure as ESOCKET, with the system's error as its cause.
  const code = reported === 'ESOCKET' ? String(e.cause?.code ?? e.cause?.errors?.[0]?.code ?? reported) : reported;
  const d = cfg.settings.database;
  const adapter = dialectAdapter(d.dialect);
  const where = adapter.location === 'url_env' ? settingOf(cfg) : `${settingOf(cfg)} (${target.path ?? 'in memory'})`;
  const url = parsedUrl(target.url);
  const server = url ? `${url.hostname}:${url.port || String(adapter.serverUrl?.defaultPort ?? '')}` : 'the server';
  const user = url ? decodeURIComponent(url.username) || 'the default role' : 'the role';
  const dbName = url ? decodeURIComponent(url.pathname.replace(/^\//, '')) || user : 'the database';
  const config = (msg: string) => new ConfigError(msg, { cause: err });
  const outage = (msg: string) => new DatabaseError(msg, ExitCode.failed, { cause: err });

  const refused = privilegeError(err, cfg, target);
  if (refused) return refused;
  switch (code) {
    case '28P01':
      return config(`PostgreSQL at ${server} refused the password of role "${user}": fix the password in ${where}`);
    case '28000':
      return config(`PostgreSQL at ${server} does not let role "${user}" connect (${raw}): fix the user in ${where}, or create the role / its pg_hba.conf entry`);
    case '3D000':
      return config(`database "${dbName}" does not exist on ${server}: create it (\`createdb ${dbName}\`) or fix the database name in ${where}`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return config(`unknown database host "${url?.hostname ?? ''}": fix the host in ${where}`);
    case 'ELOGIN':
      // tedious (SQL Server): login failed for the user, or the database cannot be opened by it.
      return config(`${adapter.engine} at ${server} refused the login of "${user}" (${raw}): fix the user, password or database name in ${where}`);
    case 'ECONNREFUSED':
      return outage(`nothing accepts connections at ${server} (${where}): start ${adapter.engine}, or fix the host and port`);
    case 'ESOCKET':
    case 'ETIMEOUT':
    case 'ETIMEDOUT':
    case 'ECONNRESET':
      return outage(`the database server at ${server} did not answer (${raw}; ${where}): check that it is up and reachable`);
    case 'SQLITE_CANTOPEN':
      return config(`cannot open the SQLite file (${raw}): check ${where} and that its folder exists and is writable`);
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return config(`${target.path ?? 'the file'} is not a usable SQLite database (${raw}): fix ${where}, or restore it from a backup`);
  }
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) return outage(`the SQLite database is locked by another process (${raw}): run again once the other writer is done`);
  return outage(`cannot use the database (${raw}): check ${where}`);
}

const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * A role the server refuses a table (or sequence, schema) to: a GRANT missing from the
 * documented set, so a configuration error naming the object and the role, whenever the
 * command meets it. Undefined for any other error.
 */
export function privilegeError(err: unknown, cfg: ResolvedConfig, target: DatabaseTarget): ConfigError | undefined {
  if ((err as Coded).code !== INSUFFICIENT_PRIVILEGE) return undefined;
  const message = err instanceof Error ? err.message : String(err);
  const object = /permission denied for (\w+ .+)$/.exec(message)?.[1] ?? 'an object it uses';
  const url = parsedUrl(target.url);
  // libpq's rule for a URL without a user: PGUSER, then the operating-system user.
  const role = (url && decodeURIComponent(url.username)) || process.env.PGUSER || userInfo().username;
  return new ConfigError(
    `role "${role}" is not granted what it needs on ${object} (${message}): grant it as docs/security.md shows (Least-privilege database user), or fix the user in ${settingOf(cfg)}`,
    { cause: err },
  );
}

/** A server's connection string, checked before any connection is tried. */
export function checkServerUrl(url: string, cfg: ResolvedConfig): void {
  const adapter = dialectAdapter(cfg.settings.database.dialect);
  const expected = adapter.serverUrl;
  const u = parsedUrl(url);
  const variable = cfg.settings.database.url_env;
  if (expected && (!u || !expected.protocols.includes(u.protocol))) {
    throw new ConfigError(`${variable} (database.url_env, environment "${cfg.envName}") is not a ${adapter.engine} URL: expected ${expected.example}`);
  }
}

/** The setting that locates the environment's database: the variable holding its URL, or the path key. */
function settingOf(cfg: ResolvedConfig): string {
  const d = cfg.settings.database;
  const location = dialectAdapter(d.dialect).location;
  return location === 'url_env' ? `the URL in ${d.url_env} (database.url_env, environment "${cfg.envName}")` : `database.${location} of environment "${cfg.envName}"`;
}

interface Coded {
  code?: unknown;
  errors?: Array<{ code?: unknown }>;
}

function parsedUrl(url: string | undefined): URL | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
