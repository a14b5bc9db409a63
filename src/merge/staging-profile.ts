import { sql, type Kysely } from 'kysely';
import { dialectAdapter, type DialectName } from '../db/index.js';

/** Declared type of each staging column, as the engine's catalogue names it. */
export async function stagingColumnTypes(db: Kysely<any>, dialect: DialectName, table: string): Promise<Map<string, string>> {
  const rows = await dialectAdapter(dialect).columns(db, table);
  return new Map(rows.map((r) => [r.name, r.type]));
}

/** Up to `limit` distinct non-empty values of one column (label checks compare them to a board). */
export async function distinctValues(db: Kysely<any>, table: string, column: string, limit = 500): Promise<string[]> {
  const rows = await db
    .selectFrom(table)
    .select(sql.ref(column).as('v'))
    .distinct()
    .where(sql.ref(column), 'is not', null)
    .limit(limit)
    .execute();
  return rows.map((r) => String(r.v).trim()).filter((v) => v !== '');
}
