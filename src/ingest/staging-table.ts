import { CompiledQuery, sql, type Kysely } from 'kysely';
import { dialectAdapter, type ColumnType, type DialectName } from '../db/index.js';
import { SOURCE_COLUMNS } from './source-columns.js';

export type { ColumnType, DialectName } from '../db/index.js';

/** Rows per INSERT: the requested batch, shrunk so rows × columns stays within the engine's bound-parameter limit. */
export function rowsPerBatch(dialect: DialectName, columnCount: number, requested = 1_000): number {
  const { parameterLimit, engine } = dialectAdapter(dialect);
  const ceiling = Math.floor(parameterLimit / Math.max(1, columnCount));
  if (ceiling < 1) throw new RangeError(`${columnCount} columns exceed ${engine}'s ${parameterLimit} parameters per statement`);
  return Math.max(1, Math.min(requested, ceiling));
}

const sqlType = (dialect: DialectName, type: ColumnType) => sql.raw(dialectAdapter(dialect).stagingTypes[type]);

/** Creates the table with its columns in the given order; every name goes through Kysely's quoting. */
export async function createStagingTable(
  db: Kysely<any>,
  table: string,
  columns: ReadonlyArray<{ name: string; type: ColumnType }>,
  dialect: DialectName,
  opts: { withSource?: boolean } = {},
): Promise<void> {
  let builder = db.schema.createTable(table);
  for (const column of columns) builder = builder.addColumn(column.name, sqlType(dialect, column.type));
  if (opts.withSource) for (const column of sourceColumns) builder = builder.addColumn(column.name, sqlType(dialect, column.type));
  await builder.execute();
}

const sourceColumns: ReadonlyArray<{ name: string; type: ColumnType }> = [
  { name: SOURCE_COLUMNS.file, type: 'text' },
  { name: SOURCE_COLUMNS.row, type: 'integer' },
  { name: SOURCE_COLUMNS.line, type: 'integer' },
  { name: SOURCE_COLUMNS.seq, type: 'integer' },
];

/** A table created before ingest recorded sources (or by upstream) gains the source columns, after its own. */
export async function addSourceColumns(db: Kysely<any>, table: string, present: readonly string[], dialect: DialectName): Promise<void> {
  for (const column of sourceColumns) {
    if (present.includes(column.name)) continue;
    await db.schema.alterTable(table).addColumn(column.name, sqlType(dialect, column.type)).execute();
  }
  if (present.includes(SOURCE_COLUMNS.seq)) return;
  // Rows already there keep their place ahead of the new load, in the order the table holds them.
  await dialectAdapter(dialect).numberRows(db, table, SOURCE_COLUMNS.seq);
}

/** The sequence the next load continues from (0 for an empty table). */
export async function lastSourceSeq(db: Kysely<any>, table: string): Promise<number> {
  const { rows } = await sql<{ n: number | string | null }>`select max(${sql.ref(SOURCE_COLUMNS.seq)}) as n from ${sql.table(table)}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** Column names of `table` in physical order, or undefined when there is no such table. */
export async function existingColumns(db: Kysely<any>, table: string): Promise<string[] | undefined> {
  const dot = table.indexOf('.');
  const schema = dot > 0 ? table.slice(0, dot) : undefined;
  const name = dot > 0 ? table.slice(dot + 1) : table;
  const tables = await db.introspection.getTables();
  const candidates = tables.filter((t) => t.name === name && (schema === undefined || t.schema === schema));
  const match = candidates.find((t) => t.schema === undefined || t.schema === 'public' || t.schema === schema) ?? candidates[0];
  return match?.columns.map((c) => c.name);
}

/**
 * Multi-row INSERTs for one table. Compiling a 30,000-parameter INSERT costs as much as running it,
 * so the statement Kysely compiles for the first full batch is reused, with new parameters, for every
 * later batch of that size. The caller keeps rows × columns within {@link rowsPerBatch}.
 */
export class RowInserter {
  /** Kysely lists an object's columns in key order, which puts integer-like names ("0", "2") first. */
  private readonly order: number[];
  private reusable: { rows: number; sql: string } | undefined;

  constructor(
    private readonly db: Kysely<any>,
    private readonly table: string,
    private readonly names: readonly string[],
  ) {
    const position = new Map(names.map((name, i) => [name, i]));
    this.order = Object.keys(Object.fromEntries(names.map((n) => [n, null]))).map((n) => position.get(n) ?? -1);
  }

  get width(): number {
    return this.names.length;
  }

  async insert(rows: ReadonlyArray<ReadonlyArray<unknown>>): Promise<void> {
    if (rows.length === 0) return;
    if (this.reusable?.rows === rows.length) {
      const parameters = rows.flatMap((row) => this.order.map((i) => row[i] ?? null));
      await this.db.executeQuery(CompiledQuery.raw(this.reusable.sql, parameters));
      return;
    }
    const values = rows.map((row) => Object.fromEntries(this.names.map((name, i) => [name, row[i] ?? null])));
    const compiled = this.db.insertInto(this.table).values(values).compile();
    await this.db.executeQuery(compiled);
    if (this.reusable === undefined && compiled.parameters.length === rows.length * this.names.length) {
      this.reusable = { rows: rows.length, sql: compiled.sql };
    }
  }
}
