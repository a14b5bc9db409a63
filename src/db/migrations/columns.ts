import type { CreateTableBuilder } from 'kysely';
import type { DialectName } from '../connect.js';

/** A surrogate key that auto-increments on each engine. */
export function withId<T extends string>(t: CreateTableBuilder<T, never>, dialect: DialectName): CreateTableBuilder<T, 'id'> {
  return dialect === 'sqlite'
    ? t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    : t.addColumn('id', 'serial', (c) => c.primaryKey());
}

/** CHECK (col IN (...)) for a closed set of states; the values are our constants, never input. */
export function inList(column: string, values: readonly string[]): string {
  for (const v of values) if (!/^[A-Z_]+$/.test(v)) throw new Error(`not a state constant: ${v}`);
  return `${column} in (${values.map((v) => `'${v}'`).join(', ')})`;
}
