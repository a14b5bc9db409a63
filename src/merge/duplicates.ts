import type { Settings } from '../config/index.js';
import { formatSource, type RowSource } from '../ingest/source-columns.js';

export interface DuplicateKey {
  key: string;
  rows: number[];
  /** The staging row kept under the policy, or null when the key is skipped (policy "error"). */
  kept: number | null;
  /** Where each of `rows` sits in its file, in the same order (when ingest loaded the table). */
  sources?: Array<RowSource | undefined>;
}

/**
 * The staging rows of each key of one load: the row number, or every row when the key is on
 * several. A number per key, not a list, keeps the map at its smallest for the common case
 * (docs/merge.md, Memory).
 */
export type RowsOfKey = Map<string, number | number[]>;

/** Records staging row `row` under `key`. */
export function addRow(keys: RowsOfKey, key: string, row: number): void {
  const rows = keys.get(key);
  if (rows === undefined) keys.set(key, row);
  else if (typeof rows === 'number') keys.set(key, [rows, row]);
  else rows.push(row);
}

/**
 * Business keys are not unique in real files. Given every (key, row) pair of one load,
 * decide which row speaks for each key; the others are reported, never dropped silently.
 */
export function resolveDuplicates(
  keys: RowsOfKey,
  policy: Settings['staging']['duplicate_policy'],
): { duplicates: DuplicateKey[]; chosenRow(key: string): number | undefined } {
  const duplicates: DuplicateKey[] = [];
  const keptOf = new Map<string, number>();
  for (const [key, rows] of keys) {
    if (typeof rows === 'number') continue;
    const kept = policy === 'first' ? (rows[0] as number) : policy === 'last' ? (rows[rows.length - 1] as number) : null;
    if (kept !== null) keptOf.set(key, kept);
    duplicates.push({ key, rows, kept });
  }
  return {
    duplicates,
    chosenRow(key) {
      const rows = keys.get(key);
      return typeof rows === 'number' ? rows : keptOf.get(key);
    },
  };
}

/** Rows named as their file shows them: the file's row numbers, with the file when rows come from several. */
export function rowLabels(rows: number[], sources: Array<RowSource | undefined>): { all: string; of(row: number): string } {
  const files = new Set(sources.map((x) => x?.file));
  const one = (i: number): string => {
    const x = sources[i];
    if (!x) return String(rows[i]);
    return files.size > 1 ? `${x.file} row ${x.row}` : String(x.row);
  };
  return { all: rows.map((_, i) => one(i)).join(', '), of: (row) => one(rows.indexOf(row)) };
}

/** Where a rejected row is: its file, row and line, or its position when ingest did not load the table. */
export function rejectionPlace(r: { rowNumber: number; source?: RowSource }): string {
  return r.source ? formatSource(r.source) : `staging row ${r.rowNumber}`;
}
