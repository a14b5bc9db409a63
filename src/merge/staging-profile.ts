import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../db/connect.js';

/** Declared type of each staging column (SQLite's declared type, PostgreSQL's data_type). */
export async function stagingColumnTypes(db: Kysely<any>, dialect: DialectName, table: string): Promise<Map<string, string>> {
  const rows =
    dialect === 'sqlite'
      ? (await sql<{ name: string; type: string }>`select name, type from pragma_table_info(${table}) order by cid`.execute(db)).rows
      : (
          await sql<{ name: string; type: string }>`
            select column_name as name, data_type as type from information_schema.columns
            where table_name = ${table} and table_schema = current_schema() order by ordinal_position`.execute(db)
        ).rows;
  return new Map(rows.map((r) => [r.name, r.type]));
}

/** Up to `limit` distinct non-empty values of one column (label checks compare them to a board). */
export async function distinctValues(db: Kysely<any>, table: string, column: string, limit = 500): Promise<string[]> {
  const { rows } = await sql<{ v: unknown }>`
    select distinct ${sql.ref(column)} as v from ${sql.table(table)}
    where ${sql.ref(column)} is not null limit ${limit}`.execute(db);
  return rows.map((r) => String(r.v).trim()).filter((v) => v !== '');
}
