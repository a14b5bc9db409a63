import { resolve } from 'node:path';
import type { Command } from 'commander';
import { assertWritable, loadConfig, type ResolvedConfig } from '../config/index.js';
import { databaseTarget, openDatabase, type Db } from '../db/connect.js';

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

export async function withDb<T>(cfg: ResolvedConfig, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabase(databaseTarget(cfg));
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}
