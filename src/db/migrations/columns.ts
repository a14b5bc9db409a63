import { sql, type CreateTableBuilder, type RawBuilder } from 'kysely';
import type { DialectName } from '../connect.js';
import { dialectAdapter } from '../dialects/index.js';

/** A surrogate key that auto-increments on each engine. */
export function withId<T extends string>(t: CreateTableBuilder<T, never>, dialect: DialectName): CreateTableBuilder<T, 'id'> {
  return dialectAdapter(dialect).withId(t);
}

/** Text types: `key` for text a constraint or index covers, `text` for the rest (the same on SQLite and PostgreSQL). */
export function textTypes(dialect: DialectName): { key: RawBuilder<unknown>; text: RawBuilder<unknown> } {
  const t = dialectAdapter(dialect).ownText;
  return { key: sql.raw(t.key), text: sql.raw(t.text) };
}

/** CHECK (col IN (...)) for a closed set of states; the values are our constants, never input. */
export function inList(column: string, values: readonly string[]): string {
  for (const v of values) if (!/^[A-Z_]+$/.test(v)) throw new Error(`not a state constant: ${v}`);
  return `${column} in (${values.map((v) => `'${v}'`).join(', ')})`;
}
