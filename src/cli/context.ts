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
