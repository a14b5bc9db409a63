import { sql } from 'kysely';
import type { Db } from '../../src/db/connect.js';

export interface TableDump {
  /** "name type null|not null default=… [pk]" in column order. */
  columns: string[];
  /** CHECK constraint expressions. */
  checks: string[];
  /** Primary key, unique and foreign key constraints. */
  keys: string[];
}

export interface SchemaDump {
  tables: Record<string, TableDump>;
  /** "table.index unique? (columns)" */
  indexes: string[];
}

/** A normalised schema description, comparable across runs on one engine. */
export async function dumpSchema(db: Db): Promise<SchemaDump> {
  return db.dialect === 'sqlite' ? dumpSqlite(db) : dumpPostgres(db);
}

async function dumpSqlite(db: Db): Promise<SchemaDump> {
  const q = async <T>(text: string) => (await sql.raw<T>(text).execute(db.raw)).rows;
  const tables: Record<string, TableDump> = {};
  const indexes: string[] = [];
  const masters = await q<{ name: string; sql: string }>(
    "select name, sql from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
  );
  for (const t of masters) {
    const quoted = t.name.replace(/'/g, "''");
    const cols = await q<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>(
      `select name, type, "notnull", dflt_value, pk from pragma_table_info('${quoted}') order by cid`,
    );
    const fks = await q<{ table: string; from: string; to: string; on_delete: string }>(
      `select "table", "from", "to", on_delete from pragma_foreign_key_list('${quoted}') order by id, seq`,
    );
    tables[t.name] = {
      columns: cols.map((c) => `${c.name} ${c.type.toLowerCase()} ${c.notnull ? 'not null' : 'null'} default=${c.dflt_value ?? ''}${c.pk ? ' pk' : ''}`),
      checks: sqliteChecks(t.sql),
      keys: fks.map((f) => `fk ${f.from} -> ${f.table}(${f.to}) on delete ${f.on_delete.toLowerCase()}`),
    };
    const idx = await q<{ name: string; unique: number; origin: string }>(`select name, "unique", origin from pragma_index_list('${quoted}') order by name`);
    for (const i of idx) {
      const icols = await q<{ name: string }>(`select name from pragma_index_info('${i.name.replace(/'/g, "''")}') order by seqno`);
      indexes.push(`${t.name}.${i.name}${i.unique ? ' unique' : ''} ${i.origin} (${icols.map((c) => c.name).join(', ')})`);
    }
  }
  return { tables, indexes: indexes.sort() };
}

/** CHECK (...) clauses from a CREATE TABLE statement, with balanced parentheses. */
function sqliteChecks(createSql: string): string[] {
  const out: string[] = [];
  const re = /\bcheck\s*\(/gi;
  for (let m = re.exec(createSql); m; m = re.exec(createSql)) {
    let depth = 1;
    let i = m.index + m[0].length;
    const start = i;
    for (; i < createSql.length && depth > 0; i++) {
      if (createSql[i] === '(') depth++;
      else if (createSql[i] === ')') depth--;
    }
    out.push(createSql.slice(start, i - 1).replace(/\s+/g, ' ').trim());
  }
  return out.sort();
}

async function dumpPostgres(db: Db): Promise<SchemaDump> {
  const tables: Record<string, TableDump> = {};
  const names = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(db.raw);
  for (const { table_name: name } of names.rows) {
    const cols = await sql<{ column_name: string; data_type: string; is_nullable: string; column_default: string | null }>`
      select column_name, data_type, is_nullable, column_default from information_schema.columns
      where table_schema = 'public' and table_name = ${name} order by ordinal_position`.execute(db.raw);
    const cons = await sql<{ conname: string; contype: string; def: string }>`
      select c.conname, c.contype, pg_get_constraintdef(c.oid) as def
      from pg_constraint c join pg_class r on r.oid = c.conrelid join pg_namespace n on n.oid = r.relnamespace
      where n.nspname = 'public' and r.relname = ${name} order by c.conname`.execute(db.raw);
    tables[name] = {
      columns: cols.rows.map(
        (c) => `${c.column_name} ${c.data_type} ${c.is_nullable === 'NO' ? 'not null' : 'null'} default=${c.column_default ?? ''}`,
      ),
      checks: cons.rows.filter((c) => c.contype === 'c').map((c) => `${c.conname}: ${c.def}`).sort(),
      keys: cons.rows.filter((c) => c.contype !== 'c').map((c) => `${c.contype} ${c.conname}: ${c.def}`).sort(),
    };
  }
  const idx = await sql<{ tablename: string; indexname: string; indexdef: string }>`
    select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' order by tablename, indexname`.execute(db.raw);
  return { tables, indexes: idx.rows.map((i) => `${i.tablename}.${i.indexname} ${i.indexdef}`).sort() };
}
