import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteDialect } from 'kysely';
import { ensurePrivateFile } from '../../private-file.js';

export function sqliteDialect(path: string): { dialect: SqliteDialect; close: () => void } {
  if (path !== ':memory:' && !existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    // The database holds order data and the API log; SQLite gives its -wal and -shm files the same mode.
    ensurePrivateFile(path);
  }
  const database = new Database(path);
  database.pragma('journal_mode = WAL');
  // Another process (a second run, `status`, the dashboard) may hold the write lock briefly.
  database.pragma('busy_timeout = 10000');
  database.pragma('foreign_keys = ON');
  database.pragma('synchronous = NORMAL');
  return { dialect: new SqliteDialect({ database }), close: () => database.close() };
}
