import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../db/connect.js';
import { dialectAdapter } from '../db/dialects/index.js';
import { ConfigError } from '../errors.js';
import { SOURCE_COLUMNS, type RowSource } from '../ingest/source-columns.js';

export interface StagingRow {
  /** 1-based position in file order (the table's physical order when ingest did not load it). */
  rowNumber: number;
  values: Record<string, unknown>;
  /** File, row and line the row was loaded from; absent when ingest did not load it. */
  source?: RowSource;
}

/**
 * Reads the staging table a batch at a time, so 100k rows × 430 columns never sit in memory
 * at once. A table ingest loaded is read in file order (keyset on its source sequence) on every
 * engine; any other table in the engine's physical order (the dialect adapter's). Only the named
 * columns are read; every identifier goes through sql.id.
 */
export async function* readStaging(
  db: Kysely<any>,
  dialect: DialectName,
  table: string,
  columns: string[],
  batchSize: number,
  opts: { withSource?: boolean } = {},
): AsyncGenerator<StagingRow[]> {
  const select = sql.join(columns.map((c) => sql.id(c)));
  const sourced = opts.withSource ?? false;
  const adapter = dialectAdapter(dialect);
  const seq = sql.ref(SOURCE_COLUMNS.seq);
  const order = sourced ? { position: seq, start: 0, after: (v: unknown) => sql`${seq} > ${v}` } : adapter.physicalOrder;
  if (!order) throw new ConfigError(`staging table "${table}" was not loaded by \`ordersync ingest\`; ${adapter.engine} has no row order to read it in, so load it with ingest`);
  const source = sourced ? sql`, ${sql.ref(SOURCE_COLUMNS.file)} as "__file", ${sql.ref(SOURCE_COLUMNS.row)} as "__row", ${sql.ref(SOURCE_COLUMNS.line)} as "__line"` : sql``;
  let after: unknown = order.start;
  let rowNumber = 0;
  for (;;) {
    const { rows } = await sql<Record<string, unknown>>`
      select ${order.position} as "__pos"${source}, ${select} from ${sql.table(table)}
      where ${order.after(after)} order by ${order.position} ${adapter.firstRows(batchSize)}`.execute(db);
    if (rows.length === 0) return;
    after = rows[rows.length - 1]?.__pos;
    yield rows.map((r) => {
      const { __pos: _, __file: file, __row: row, __line: line, ...values } = r;
      const found = typeof file === 'string' ? { file, row: Number(row), line: Number(line) } : undefined;
      return found ? { rowNumber: ++rowNumber, values, source: found } : { rowNumber: ++rowNumber, values };
    });
    if (rows.length < batchSize) return;
  }
}
