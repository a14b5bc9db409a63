import pg from 'pg';
import { PostgresDialect } from 'kysely';
import { TEXT_AS_IS } from './pg-types.js';

// Counts and complexity totals are BIGINT; they stay far below 2^53, so plain numbers are safe.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
for (const [oid, parse] of Object.entries(TEXT_AS_IS)) pg.types.setTypeParser(Number(oid), parse);

export function postgresDialect(connectionString: string): { dialect: PostgresDialect; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString, max: 5, connectionTimeoutMillis: 10_000 });
  // A connection killed server-side (restart, pg_terminate_backend) must fail the query
  // that used it, not crash the process from an unhandled 'error' event.
  pool.on('error', () => undefined);
  // The pool only listens on idle clients: one checked out (the run lock's session, a
  // transaction) emits 'error' on itself, and with no listener that kills the process.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return { dialect: new PostgresDialect({ pool }), pool };
}
