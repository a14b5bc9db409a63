import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { afterAll } from 'vitest';
import type { SqlDialect } from '../../../src/ingest/staging-table.js';

export interface Engine {
  name: 'sqlite' | 'pglite' | 'postgres';
  dialect: SqlDialect;
  db: Kysely<any>;
  close(): Promise<void>;
}

export interface EngineFactory {
  name: Engine['name'];
  open(): Promise<Engine>;
}

const host = process.env.PGHOST ?? '127.0.0.1';
const port = Number(process.env.PGPORT ?? 5432);

async function answers(user: string): Promise<boolean> {
  const client = new pg.Client({ host, port, user, database: 'postgres', connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The machine's PostgreSQL user that answers, if any (trust auth: `postgres`, else `root`). */
async function serverUser(): Promise<string | undefined> {
  for (const user of [process.env.PGUSER, 'postgres', 'root']) {
    if (user && (await answers(user))) return user;
  }
  return undefined;
}

function sqliteFactory(): EngineFactory {
  const dir = mkdtempSync(join(tmpdir(), 'ordersync-sqlite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  return {
    name: 'sqlite',
    async open() {
      const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(join(dir, `t${n++}.db`)) }) });
      return { name: 'sqlite', dialect: 'sqlite', db, close: () => db.destroy() };
    },
  };
}

function pgliteFactory(): EngineFactory {
  return {
    name: 'pglite',
    async open() {
      const db = new Kysely<any>({ dialect: new PGliteDialect(new PGlite()) });
      return { name: 'pglite', dialect: 'postgres', db, close: () => db.destroy() };
    },
  };
}

/** One throwaway database per test file, dropped when the file's tests are done. */
function postgresFactory(user: string): EngineFactory {
  const database = `ordersync_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  let created: Promise<void> | undefined;
  const admin = async (statement: string): Promise<void> => {
    const client = new pg.Client({ host, port, user, database: 'postgres' });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  afterAll(async () => {
    if (created) await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });
  return {
    name: 'postgres',
    async open() {
      created ??= admin(`CREATE DATABASE ${database}`);
      await created;
      const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ host, port, user, database, max: 4 }) }) });
      return { name: 'postgres', dialect: 'postgres', db, close: () => db.destroy() };
    },
  };
}

/**
 * SQLite and PGlite always; the PostgreSQL server when it answers. With CI=true a silent server
 * is a failure, not a skip.
 */
export async function testEngines(): Promise<EngineFactory[]> {
  const factories = [sqliteFactory(), pgliteFactory()];
  const user = await serverUser();
  if (user) factories.push(postgresFactory(user));
  else if (process.env.CI === 'true') throw new Error(`PostgreSQL at ${host}:${port} does not answer (CI=true: not skipping)`);
  return factories;
}

let tables = 0;
/** A fresh table name per test, with a space and a quote: identifiers must be quoted everywhere. */
export function tableName(): string {
  return `stg "order" list ${tables++}`;
}
