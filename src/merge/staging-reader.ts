import type { MergeWriter } from '../db/index.js';
import { SOURCE_COLUMNS, type RowSource } from '../ingest/source-columns.js';

/**
 * Which staging columns a pass reads and where each sits in the row arrays the writer returns:
 * the named columns in the order given, then (for a table ingest loaded) the file, row and line
 * the row came from. Compiled once per pass, so a row is read by index, never copied to an object.
 */
export interface StagingLayout {
  columns: readonly string[];
  /** How many leading entries of a row are staging columns (the rest is bookkeeping). */
  width: number;
  indexOf(column: string): number;
  sourceOf(row: readonly unknown[]): RowSource | undefined;
}

export function stagingLayout(columns: readonly string[], withSource: boolean): StagingLayout {
  const index = new Map(columns.map((c, i) => [c, i]));
  const width = columns.length;
  return {
    columns: withSource ? [...columns, SOURCE_COLUMNS.file, SOURCE_COLUMNS.row, SOURCE_COLUMNS.line] : columns,
    width,
    indexOf(column) {
      const i = index.get(column);
      if (i === undefined) throw new Error(`staging column "${column}" is not read by this pass`);
      return i;
    },
    sourceOf(row) {
      if (!withSource) return undefined;
      const file = row[width];
      return typeof file === 'string' ? { file, row: Number(row[width + 1]), line: Number(row[width + 2]) } : undefined;
    },
  };
}

/**
 * Reads the staging table a batch at a time as arrays, so 100k rows × 430 columns never sit in
 * memory at once. A table ingest loaded is read in file order (its source sequence) on every
 * engine; any other table in physical order (SQLite's rowid, PostgreSQL's heap order). Each row
 * is read once: the engine's writer streams it (docs/merge.md, Reading staging).
 */
export function readStaging(writer: MergeWriter, table: string, layout: StagingLayout, batchSize: number, withSource: boolean): AsyncGenerator<unknown[][]> {
  return writer.readStaging({ table, columns: layout.columns, orderBy: withSource ? SOURCE_COLUMNS.seq : null, batchSize });
}
