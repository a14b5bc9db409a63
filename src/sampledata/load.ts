import type { Kysely } from 'kysely';
import { createStagingTable, RowInserter, rowsPerBatch, type DialectName } from '../ingest/staging-table.js';
import type { StagingColumn, StagingRow } from './columns.js';

export interface LoadStagingOptions {
  dialect: DialectName;
  /** Rows per INSERT; shrunk to fit the dialect's bound-parameter limit (~79 rows on SQLite at 411 columns). */
  batchSize?: number;
  /** Drop an existing table of that name first (in the same transaction). */
  replace?: boolean;
}

/** Creates `table` in column order with typed columns and bulk-loads the rows, all in one transaction. */
export async function loadStaging(
  db: Kysely<any>,
  table: string,
  columns: readonly StagingColumn[],
  rows: Iterable<StagingRow> | AsyncIterable<StagingRow>,
  opts: LoadStagingOptions,
): Promise<{ rows: number }> {
  const names = columns.map((c) => c.name);
  const perBatch = rowsPerBatch(opts.dialect, names.length, opts.batchSize);
  return db.transaction().execute(async (trx) => {
    if (opts.replace) await trx.schema.dropTable(table).ifExists().execute();
    await createStagingTable(trx, table, columns, opts.dialect);
    const inserter = new RowInserter(trx, table, names);
    let batch: unknown[][] = [];
    let count = 0;
    for await (const row of rows) {
      batch.push(names.map((n) => row[n]));
      if (batch.length >= perBatch) {
        await inserter.insert(batch);
        count += batch.length;
        batch = [];
      }
    }
    await inserter.insert(batch);
    return { rows: count + batch.length };
  });
}
