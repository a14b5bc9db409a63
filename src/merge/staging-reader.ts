import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../db/connect.js';

export interface StagingRow {
  /** 1-based position in the table's physical order: what reports call "staging row N". */
  rowNumber: number;
  values: Record<string, unknown>;
}

/**
 * Reads the staging table in physical order, a batch at a time (keyset on SQLite's rowid
 * or PostgreSQL's ctid), so 100k rows × 430 columns never sit in memory at once.
 * Only the named columns are read; every identifier goes through sql.id.
 */
export async function* readStaging(
  db: Kysely<any>,
  dialect: DialectName,
  table: string,
  columns: string[],
  batchSize: number,
): AsyncGenerator<StagingRow[]> {
  const select = sql.join(columns.map((c) => sql.id(c)));
  const pos = dialect === 'sqlite' ? sql`rowid` : sql`ctid`;
  let after: unknown = dialect === 'sqlite' ? 0 : '(0,0)';
  let rowNumber = 0;
  for (;;) {
    const where = dialect === 'sqlite' ? sql`${pos} > ${after}` : sql`${pos} > ${after}::tid`;
    const { rows } = await sql<Record<string, unknown>>`
      select ${pos} as "__pos", ${select} from ${sql.table(table)}
      where ${where} order by ${pos} limit ${batchSize}`.execute(db);
    if (rows.length === 0) return;
    after = rows[rows.length - 1]?.__pos;
    yield rows.map((r) => {
      const { __pos: _, ...values } = r;
      return { rowNumber: ++rowNumber, values };
    });
    if (rows.length < batchSize) return;
  }
}
