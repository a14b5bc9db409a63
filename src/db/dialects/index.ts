import type { DialectAdapter, DialectName } from './adapter.js';
import { mssql } from './mssql.js';
import { pglite } from './pglite.js';
import { postgres } from './postgres.js';
import { sqlite } from './sqlite.js';

export type { BackupResult, ColumnType, DialectAdapter, DialectName, DialectTarget, RawHandle, SqlFamily } from './adapter.js';

const ADAPTERS: Readonly<Record<DialectName, DialectAdapter>> = { sqlite, postgres, pglite, mssql };

/** The adapter of a configured dialect. */
export function dialectAdapter(name: DialectName): DialectAdapter {
  return ADAPTERS[name];
}
