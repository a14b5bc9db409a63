import {
  additionalDetailColumns,
  dateColumns,
  decimalColumns,
  integerColumns,
  orderDetailColumns,
  sizeColumnNames,
} from './column-names.js';

export type StagingColumnType = 'text' | 'integer' | 'decimal' | 'date';

export interface StagingColumn {
  name: string;
  type: StagingColumnType;
  /** `marker`: `UNIT OF MEASURE` and `TOTAL QTY`, which bracket the size columns. */
  role?: 'size' | 'marker';
}

/**
 * One staging row, keyed by column name. Values: text → string, integer → number,
 * decimal → string with four places (exact, as a DECIMAL(18,4) prints it), date → `YYYY-MM-DD`;
 * null where empty.
 */
export type StagingRow = Record<string, string | number | null>;

export const KEY_COLUMN = 'AAG ORDER NUMBER';
export const FIRST_MARKER = 'UNIT OF MEASURE';
export const LAST_MARKER = 'TOTAL QTY';
/** Regenerated upstream on every rebuild, as the prior system's record_uuid was: never an identity. */
export const UUID_COLUMN = 'record_uuid';

function typeOf(name: string): StagingColumnType {
  if (dateColumns.has(name)) return 'date';
  if (decimalColumns.has(name)) return 'decimal';
  if (integerColumns.has(name)) return 'integer';
  return 'text';
}

function businessColumn(name: string): StagingColumn {
  const column: StagingColumn = { name, type: typeOf(name) };
  if (name === FIRST_MARKER || name === LAST_MARKER) column.role = 'marker';
  return column;
}

const columns: readonly StagingColumn[] = [
  { name: UUID_COLUMN, type: 'text' },
  ...orderDetailColumns.map(businessColumn),
  ...sizeColumnNames.map((name): StagingColumn => ({ name, type: 'integer', role: 'size' })),
  ...additionalDetailColumns.map(businessColumn),
];

/** The staging table's columns in physical order (a fresh copy: callers may keep or change it). */
export function stagingColumns(): StagingColumn[] {
  return columns.map((c) => ({ ...c }));
}

export const sizeNames: readonly string[] = sizeColumnNames;
