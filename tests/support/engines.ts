import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { settingsSchema } from '../../src/config/schema.js';
import { openDatabase, type DatabaseTarget, type Db } from '../../src/db/connect.js';

export type EngineName = 'sqlite' | 'pglite' | 'postgres';
export const ENGINES: EngineName[] = ['sqlite', 'pglite', 'postgres'];

/** The server the PostgreSQL tests use; databases are created per test and dropped after. */
export const PG_ADMIN_URL = process.env.ORDERSYNC_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let pgAvailable: Promise<boolean> | undefined;

export function postgresAvailable(): Promise<boolean> {
  pgAvailable ??= (async () => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3_000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return pgAvailable;
}

export interface TestDatabase {
  engine: EngineName;
  /** What actually ran: 'postgres' falls back to PGlite when no server answers (never in CI). */
  actual: EngineName;
  target: DatabaseTarget;
  open(): Promise<Db>;
  cleanup(): Promise<void>;
}

/** A fresh, empty database on the given engine. */
export async function createTestDatabase(engine: EngineName, tables = settingsSchema.parse({}).database.tables): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'ordersync-db-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  if (engine === 'postgres') {
    if (await postgresAvailable()) {
      const name = `ordersync_t_${randomBytes(6).toString('hex')}`;
      await adminQuery(`create database ${name}`);
      const url = new URL(PG_ADMIN_URL);
      url.pathname = `/${name}`;
      const target: DatabaseTarget = { dialect: 'postgres', url: url.toString(), tables };
      return {
        engine,
        actual: 'postgres',
        target,
        open: () => openDatabase(target),
        cleanup: async () => {
          await adminQuery(`drop database if exists ${name} with (force)`);
          removeDir();
        },
      };
    }
    if (process.env.CI === 'true') {
      throw new Error(`PostgreSQL server not answering at ${PG_ADMIN_URL}; CI requires it (start it, or set ORDERSYNC_TEST_PG_URL)`);
    }
  }
  const actual: EngineName = engine === 'postgres' ? 'pglite' : engine;
  const target: DatabaseTarget =
    actual === 'sqlite'
      ? { dialect: 'sqlite', path: join(dir, 'test.db'), tables }
      : { dialect: 'pglite', path: join(dir, 'pgdata'), tables };
  return { engine, actual, target, open: () => openDatabase(target), cleanup: async () => removeDir() };
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
