import { resolve } from 'node:path';
import type { Command } from 'commander';
import { assertWritable, loadConfig, type ResolvedConfig } from '../config/index.js';
import {
  databaseTarget,
  notCreatedYet,
  openDatabase,
  notMigratedError,
  pendingMigrations,
  checkServerUrl,
  databaseOpenError,
  privilegeError,
  type Db,
} from '../db/index.js';
import { ConfigError } from '../errors.js';

export interface GlobalOptions {
  config?: string;
  env?: string;
  yes?: boolean;
}

export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/**
 * `ordersync` with the --config and --env this command was given, for the "next:" hints a
 * command prints: they run as printed, from any folder.
 */
export function cliPrefix(cmd: Command): string {
  const g = globalOptions(cmd);
  const parts = ['ordersync'];
  if (g.config) parts.push('--config', shellWord(resolve(g.config)));
  if (g.env) parts.push('--env', shellWord(g.env));
  return parts.join(' ');
}

/** A word the shell passes through unchanged. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./=:@%+-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

export function loadCliConfig(cmd: Command, envOverride?: string): ResolvedConfig {
  const g = globalOptions(cmd);
  return loadConfig({ path: g.config, env: envOverride ?? g.env });
}

/** Commands that write (to the database or the board) call this before touching anything. */
export function confirmWrite(cmd: Command, cfg: ResolvedConfig): void {
  assertWritable(cfg, { yes: globalOptions(cmd).yes, isTTY: Boolean(process.stdin.isTTY) });
}

export interface DatabaseUse {
  /** The command may create the SQLite file (migrate up, ingest); others refuse a missing one. */
  create?: boolean;
  /** The command works on a schema with pending migrations (migrate, ingest). */
  anySchema?: boolean;
  /** Told the one-line error when the database cannot be opened, before it is thrown (a job pages it). */
  onOpenError?: (err: unknown) => Promise<unknown>;
}

/**
 * Opens the environment's database for a command, and proves it usable before the command
 * starts: a missing file, a wrong URL, role or password, a missing database, a server that
 * does not answer or a schema not migrated yet is one line naming the setting and the fix.
 */
export async function openCliDatabase(cfg: ResolvedConfig, use: DatabaseUse = {}): Promise<Db> {
  const target = databaseTarget(cfg);
  if (target.url !== undefined) checkServerUrl(target.url, cfg);
  if (!use.create && notCreatedYet(target)) {
    throw new ConfigError(`the SQLite database ${target.path} does not exist yet (database.sqlite_path of environment "${cfg.envName}"): create it with \`ordersync migrate up --env ${cfg.envName}\``);
  }
  let db: Db | undefined;
  let pending: string[];
  try {
    db = await openDatabase(target);
    pending = await pendingMigrations(db);
  } catch (err) {
    await db?.close().catch(() => undefined);
    throw databaseOpenError(err, cfg, target);
  }
  if (pending.length > 0 && !use.anySchema) {
    await db.close();
    throw notMigratedError(cfg.envName, pending);
  }
  return db;
}

export async function withDb<T>(cfg: ResolvedConfig, fn: (db: Db) => Promise<T>, use: DatabaseUse = {}): Promise<T> {
  const db = await openCliDatabase(cfg, use).catch(async (err: unknown) => {
    await use.onOpenError?.(err);
    throw err;
  });
  try {
    return await withGrantCheck(cfg, () => fn(db));
  } finally {
    await db.close();
  }
}

/**
 * A command's work on the environment's database. A GRANT the role lacks shows at the first
 * statement that needs it, mid-command: that is the configuration error naming the table and
 * the role (exit 3), not an unexpected failure.
 */
async function withGrantCheck<T>(cfg: ResolvedConfig, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw privilegeError(err, cfg, databaseTarget(cfg)) ?? err;
  }
}

/**
 * A job (run, sync, retry, cutover) whose database cannot be opened pages `database_unavailable`
 * before its error ends the command; loaded only then, so other commands start without it.
 */
export async function pageUnopened(cfg: ResolvedConfig, err: unknown): Promise<void> {
  const { alertDatabaseUnavailable } = await import('../jobs/observed.js');
  const { webhook } = await alertDatabaseUnavailable(cfg, err);
  if (webhook.error) process.stderr.write(`alert webhook failed: ${webhook.error}\n`);
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}
