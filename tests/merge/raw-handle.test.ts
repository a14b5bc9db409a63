import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/connect.js';
import { migrateUp } from '../../src/db/migrations/index.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/engines.js';
import { TABLES } from './support.js';

/**
 * The merge's hot loop runs on the driver connection under its transaction (`Db.rawHandle`):
 * on SQLite and the PostgreSQL server that handle must be the transaction's own connection,
 * seeing its uncommitted writes while other connections do not; PGlite has none and the merge
 * goes through Kysely.
 */
describe.each(ENGINES)('raw handle on %s', (engine) => {
  let t: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    t = await createTestDatabase(engine, TABLES);
    db = await t.open();
    await migrateUp(db);
    await sql`create table handle_probe (n integer)`.execute(db.raw);
  });
  afterAll(async () => {
    await db?.close();
    await t?.cleanup();
  });

  it('is the connection of the transaction it is asked about', async () => {
    await db.raw.transaction().execute(async (trx) => {
      await sql`insert into handle_probe (n) values (7)`.execute(trx);
      const handle = await db.rawHandle?.(trx);
      if (t.actual === 'pglite') {
        expect(handle).toBeUndefined();
        return;
      }
      if (handle?.driver === 'better-sqlite3') {
        expect(handle.database.inTransaction).toBe(true);
        expect(handle.database.prepare('select count(*) as n from handle_probe').get()).toEqual({ n: 1 });
      } else if (handle?.driver === 'pg') {
        expect((await handle.client.query('select count(*)::int as n from handle_probe')).rows).toEqual([{ n: 1 }]);
        // Another pool connection does not see the uncommitted row.
        const other = await db.raw.selectFrom('handle_probe').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        expect(Number(other.n)).toBe(0);
      } else throw new Error(`no handle on ${t.actual}`);
      expect(handle.driver).toBe(t.actual === 'sqlite' ? 'better-sqlite3' : 'pg');
      await sql`delete from handle_probe`.execute(trx);
    });
  });

  it('on the PostgreSQL server, among several open transactions, each gets its own client', async () => {
    if (t.actual !== 'postgres') return;
    let release = () => undefined as void;
    const held = new Promise<void>((r) => (release = r));
    const pids: number[] = [];
    const one = (n: number) =>
      db.raw.transaction().execute(async (trx) => {
        const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]?.pid as number;
        const handle = await db.rawHandle?.(trx);
        if (handle?.driver !== 'pg') throw new Error('no pg client');
        expect((await handle.client.query('select pg_backend_pid() as pid')).rows[0]?.pid).toBe(pid);
        pids[n] = pid;
        await held;
      });
    const running = [one(0), one(1), one(2)];
    await new Promise((r) => setTimeout(r, 200));
    release();
    await Promise.all(running);
    expect(new Set(pids).size).toBe(3);
  });
});
