import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { settingsSchema } from '../../src/config/schema.js';
import { openDatabase, type Db } from '../../src/db/connect.js';

/** The server benchmarks use (a scratch database is created and dropped); PGlite when none answers. */
export const BENCH_PG_URL = process.env.ORDERSYNC_BENCH_PG_URL ?? process.env.ORDERSYNC_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDb {
  label: string;
  db: Db;
  /** Where the database is, for benchmarks that also open it with the plain driver. */
  where: { engine: 'sqlite'; path: string } | { engine: 'postgres'; url: string } | { engine: 'pglite' };
  cleanup(): Promise<void>;
}

async function admin(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

export async function openBenchDb(engine: 'sqlite' | 'postgres'): Promise<BenchDb> {
  const tables = settingsSchema.parse({}).database.tables;
  const dir = mkdtempSync(join(tmpdir(), 'ordersync-bench-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  if (engine === 'sqlite') {
    const path = join(dir, 'bench.db');
    const db = await openDatabase({ dialect: 'sqlite', path, tables });
    return { label: 'sqlite', db, where: { engine: 'sqlite', path }, cleanup: async () => (await db.close(), removeDir()) };
  }
  try {
    const name = `ordersync_bench_${randomBytes(5).toString('hex')}`;
    await admin(BENCH_PG_URL, `create database ${name}`);
    const url = new URL(BENCH_PG_URL);
    url.pathname = `/${name}`;
    const db = await openDatabase({ dialect: 'postgres', url: url.toString(), tables });
    return {
      label: 'postgres',
      db,
      where: { engine: 'postgres', url: url.toString() },
      cleanup: async () => {
        await db.close();
        await admin(BENCH_PG_URL, `drop database if exists ${name} with (force)`);
        removeDir();
      },
    };
  } catch {
    const db = await openDatabase({ dialect: 'pglite', path: join(dir, 'pgdata'), tables });
    return { label: 'pglite (no server)', db, where: { engine: 'pglite' }, cleanup: async () => (await db.close(), removeDir()) };
  }
}

/** Peak resident set size over a phase, sampled on an interval (and at the end). */
export function rssSampler(intervalMs = 25) {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, intervalMs);
  timer.unref();
  return {
    reset() {
      peak = process.memoryUsage().rss;
    },
    peak() {
      peak = Math.max(peak, process.memoryUsage().rss);
      return peak;
    },
    stop() {
      clearInterval(timer);
    },
  };
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}
