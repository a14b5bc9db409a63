import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/connect.js';
import { migrateUp } from '../../src/db/migrations/index.js';
import { OrdersyncError } from '../../src/errors.js';
import { ingestFile } from '../../src/ingest/index.js';
import { merge } from '../../src/merge/index.js';
import { csvLine, generateStaging, writeCsv } from '../../src/sampledata/index.js';
import { collect, spawnCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/engines.js';
import { createSyncEnv } from '../support/sync-env.js';
import { COLUMNS, order, settings, stage, STAGING, TABLES } from './support.js';

/**
 * Issue 12 #6: an `ingest --replace` that commits while a merge reads staging. On PostgreSQL
 * under READ COMMITTED the merge's next batch saw the new file's rows after the old file's,
 * so staged_rows was the sum of both loads and orders of the new file were missed. The merge
 * reads one snapshot and holds staging against writers; the ingest is refused (exit 4).
 */
describe('a merge reads staging in one snapshot (PostgreSQL)', () => {
  let t: TestDatabase;
  let db: Db;
  let blocker: Db;
  const dir = mkdtempSync(join(tmpdir(), 'ordersync-snapshot-'));

  beforeAll(async () => {
    t = await createTestDatabase('postgres', TABLES);
    db = await t.open();
    blocker = await t.open();
    await migrateUp(db);
  });
  afterAll(async () => {
    await blocker?.close();
    await db?.close();
    await t?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ingest --replace during the merge is refused with exit 4 and the merge counts one load', async (ctx) => {
    if (t.actual !== 'postgres') ctx.skip();
    const s = settings({ staging: { batch_size: 50 } });
    const first = Array.from({ length: 300 }, (_, i) => order(`OLD-${i}`, { S: 1 }));
    await stage(db.raw, first);
    const file = join(dir, 'next.csv');
    const next = Array.from({ length: 200 }, (_, i) => order(`NEW-${i}`, { M: 2 }));
    writeFileSync(file, csvLine(COLUMNS) + next.map((r) => csvLine(COLUMNS.map((c) => r[c] ?? null))).join(''));

    // Hold the merge at its first write to orders, after it has started reading staging.
    let merging: Promise<Awaited<ReturnType<typeof merge>>> | undefined;
    await blocker.raw.transaction().execute(async (trx) => {
      await sql`lock table ${sql.table(TABLES.orders)} in exclusive mode`.execute(trx);
      merging = merge(db, s);
      const deadline = Date.now() + 20_000;
      for (;;) {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_locks where not granted`.execute(blocker.raw);
        if ((rows[0]?.n ?? 0) > 0) break;
        if (Date.now() > deadline) throw new Error('the merge never reached its first write');
        await new Promise((r) => setTimeout(r, 20));
      }
      const ingesting = ingestFile(db.raw, { path: file, table: STAGING, dialect: 'postgres', replace: true });
      const refused = await ingesting.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused, 'ingest committed while the merge was reading staging').toBeInstanceOf(OrdersyncError);
      expect((refused as OrdersyncError).exitCode).toBe(4);
      expect((refused as Error).message).toMatch(/staging table .* is in use .*merge.*nothing was loaded/);
    });
    const summary = await (merging as Promise<Awaited<ReturnType<typeof merge>>>);
    expect(summary.counts.staged_rows).toBe(300);
    expect(summary.counts.new).toBe(300);
    const keys = await db.kysely.selectFrom('orders').select('order_key').execute();
    expect(keys.every((k) => k.order_key.startsWith('OLD-'))).toBe(true);

    // Once the merge is done the same ingest loads, and the next merge sees exactly the new file.
    const report = await ingestFile(db.raw, { path: file, table: STAGING, dialect: 'postgres', replace: true });
    expect(report.rowsLoaded).toBe(200);
    const again = await merge(db, s);
    expect(again.counts.staged_rows).toBe(200);
    expect(again.counts.new).toBe(200);
  });
});

describe('a merge reads staging in one snapshot (SQLite)', () => {
  it('an ingest started under a merge waits busy_timeout, then exits 4 naming the table; the merge counts one load', async () => {
    const env = await createSyncEnv({ engine: 'sqlite' });
    try {
      const first = [...generateStaging({ seed: 3, orders: 40, customers: 2 }).rows];
      await env.load(first);
      const file = join(env.dir, 'next.csv');
      await writeCsv(file, env.columns, generateStaging({ seed: 4, orders: 25, customers: 2 }).rows);
      let beats = 0;
      let ingest: Awaited<ReturnType<typeof collect>> | undefined;
      // The job's heartbeat renews the lease inside the merge's transaction; here it also holds the
      // merge between two batches while an `ordersync ingest --replace` runs against the same file.
      const summary = await merge(env.db, env.cfg.settings, {
        heartbeat: async (trx) => {
          await trx.updateTable('run_lock').set({ name: 'x' }).where('name', '=', '-').execute();
          if (++beats !== 2) return;
          ingest = await collect(spawnCli(['--config', env.configPath, 'ingest', file, '--replace'], { cwd: env.dir, env: env.envVars }), 60_000);
        },
      });
      expect(ingest?.code, ingest?.stderr).toBe(4);
      expect(ingest?.stderr).toMatch(/staging table "staging_order_list" is in use by a running merge or another ingest; nothing was loaded/);
      expect(summary.counts.staged_rows).toBe(first.length);
    } finally {
      await env.close();
    }
  }, 120_000);
});
