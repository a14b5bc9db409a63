import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/connect.js';
import { migrateUp } from '../../src/db/migrations/index.js';
import { RunLockedError, RunLockLostError, runLockLive, withRunLock, type RunLockHandle } from '../../src/queue/run-lock.js';
import { ExitCode } from '../../src/errors.js';
import { REPO_ROOT, spawnTs, waitForLine } from '../support/cli.js';
import { createTestDatabase, type EngineName, type TestDatabase } from '../support/engines.js';

const HOLDER = fileURLToPath(new URL('./fixtures/hold-lock.ts', import.meta.url));

/** Lock engines that can be shared by two processes (PGlite is in-process only). */
const CROSS_PROCESS: EngineName[] = ['sqlite', 'postgres'];

describe.each(CROSS_PROCESS)('run lock across processes on %s', (engine) => {
  let t: TestDatabase;
  let db: Db;
  const children: ChildProcess[] = [];
  const stderrOf = new Map<ChildProcess, string>();

  beforeAll(async () => {
    t = await createTestDatabase(engine);
    db = await t.open();
    await migrateUp(db);
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  afterAll(async () => {
    await db?.close();
    await t?.cleanup();
  });

  /** Starts a holder process and waits until it holds the lock. */
  async function startHolder(name: string): Promise<ChildProcess> {
    const child = spawnTs(HOLDER, [JSON.stringify(t.target), name, '60000'], { cwd: REPO_ROOT });
    children.push(child);
    // Kept for the assertion messages: an exit other than the clean one says why.
    stderrOf.set(child, '');
    child.stderr?.on('data', (d: Buffer) => stderrOf.set(child, `${stderrOf.get(child) ?? ''}${d.toString()}`));
    await waitForLine(child, /^HELD \d+$/);
    return child;
  }

  const lease = (name: string) => db.kysely.selectFrom('run_lock').selectAll().where('name', '=', name).executeTakeFirst();

  it('a second process is refused while the first holds the lock; the message names pid, host and since when', async (ctx) => {
    if (t.actual !== engine) ctx.skip(); // PGlite fallback (no server outside CI) is single-process
    const child = await startHolder('dev');
    const held = await lease('dev');
    expect(held).toMatchObject({ pid: child.pid, host: hostname() });

    let ran = false;
    const err = await withRunLock(db, 'dev', async () => {
      ran = true;
    }).catch((e: unknown) => e);
    expect(ran).toBe(false);
    expect(err).toBeInstanceOf(RunLockedError);
    expect((err as RunLockedError).exitCode).toBe(ExitCode.locked);
    expect((err as Error).message).toBe(
      `run already in progress for "dev" since ${held?.acquired_at}, held by pid ${child.pid} on ${hostname()}`,
    );
    expect(Date.now() - Date.parse(held?.acquired_at ?? '')).toBeLessThan(60_000);

    // another lock name is independent
    expect(await withRunLock(db, 'prod', async () => 'other')).toBe('other');

    // a clean exit releases it
    child.kill('SIGTERM');
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    expect({ code, signal }, stderrOf.get(child)).toEqual({ code: 0, signal: null });
    expect(await lease('dev')).toBeUndefined();
    expect(await withRunLock(db, 'dev', async () => 'mine')).toBe('mine');
  });

  it('a lease left by a SIGKILLed holder is taken over', async (ctx) => {
    if (t.actual !== engine) ctx.skip();
    const child = await startHolder('dev');
    child.kill('SIGKILL');
    await once(child, 'exit');
    // the holder had no chance to clean up: its lease row is still there
    expect(await lease('dev')).toMatchObject({ pid: child.pid });

    const during = await withRunLock(db, 'dev', async () => lease('dev'));
    expect(during).toMatchObject({ pid: process.pid, host: hostname() });
    expect(await lease('dev')).toBeUndefined();
  });

  it('runLockLive: true while another process holds it, false once that process is SIGKILLed (its lease row still there), and asking never takes it', async (ctx) => {
    if (t.actual !== engine) ctx.skip();
    expect(await runLockLive(db, 'dev')).toBe(false);
    const child = await startHolder('dev');
    expect(await runLockLive(db, 'dev')).toBe(true);
    expect(await runLockLive(db, 'prod')).toBe(false);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(await lease('dev')).toMatchObject({ pid: child.pid });
    // The server drops a dead session's lock when it notices the connection is gone.
    for (let i = 0; i < 40 && (await runLockLive(db, 'dev')); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await runLockLive(db, 'dev')).toBe(false);
    // Our own job holding it is live too; the question did not leave a lock behind.
    expect(await withRunLock(db, 'dev', () => runLockLive(db, 'dev'))).toBe(true);
    expect(await runLockLive(db, 'dev')).toBe(false);
  });
});

describe('lease rules (SQLite, in process)', () => {
  let t: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    t = await createTestDatabase('sqlite');
    db = await t.open();
    await migrateUp(db);
  });
  afterAll(async () => {
    await db?.close();
    await t?.cleanup();
  });

  const plant = (lease: { pid: number; host: string; expiresInMs: number }) =>
    db.kysely
      .insertInto('run_lock')
      .values({
        name: 'dev',
        holder: `${lease.host}:${lease.pid}`,
        pid: lease.pid,
        host: lease.host,
        acquired_at: '2026-01-01T00:00:00.000Z',
        expires_at: new Date(Date.now() + lease.expiresInMs).toISOString(),
      })
      .execute();
  const clear = () => db.kysely.deleteFrom('run_lock').execute();

  it('a live holder on another host is respected until its lease expires', async () => {
    await plant({ pid: 1, host: 'other-host', expiresInMs: 60_000 });
    await expect(withRunLock(db, 'dev', async () => 'x')).rejects.toThrow(
      'run already in progress for "dev" since 2026-01-01T00:00:00.000Z, held by pid 1 on other-host',
    );
    await clear();
    await plant({ pid: 1, host: 'other-host', expiresInMs: -1_000 });
    expect(await withRunLock(db, 'dev', async () => 'expired, taken over')).toBe('expired, taken over');
    await clear();
  });

  it('a live local process keeps its unexpired lease; the same process cannot nest', async () => {
    await plant({ pid: process.ppid, host: hostname(), expiresInMs: 60_000 });
    await expect(withRunLock(db, 'dev', async () => 'x')).rejects.toBeInstanceOf(RunLockedError);
    await clear();
    await expect(withRunLock(db, 'dev', () => withRunLock(db, 'dev', async () => 'nested'))).rejects.toBeInstanceOf(RunLockedError);
    expect(await db.kysely.selectFrom('run_lock').selectAll().execute()).toEqual([]);
  });

  it('the lock is released when the work throws', async () => {
    await expect(
      withRunLock(db, 'dev', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await withRunLock(db, 'dev', async () => 'again')).toBe('again');
  });
});

describe('a run that loses its lock finds out', () => {
  /** What the lock says after a few heartbeats: the error it throws, or undefined if still held. */
  async function afterHeartbeats(lock: RunLockHandle): Promise<unknown> {
    await new Promise((r) => setTimeout(r, 500));
    try {
      lock.assertHeld();
      return undefined;
    } catch (e) {
      return e;
    }
  }

  /** Holds the lock with a fast heartbeat while `betray` makes it lose it; returns what assertHeld threw. */
  const loseLock = (db: Db, betray: () => Promise<unknown>) =>
    withRunLock(
      db,
      'dev',
      async (lock) => {
        lock.assertHeld();
        await betray();
        return afterHeartbeats(lock);
      },
      { heartbeatMs: 100 },
    );

  it('SQLite: a lease taken over by another process is noticed at the next heartbeat', async () => {
    const t = await createTestDatabase('sqlite');
    const db = await t.open();
    try {
      await migrateUp(db);
      // Another process decided we were dead and took the lease over.
      const err = await loseLock(db, () =>
        db.kysely.updateTable('run_lock').set({ pid: process.pid + 100_000, holder: 'someone-else' }).where('name', '=', 'dev').execute(),
      );
      expect(err).toBeInstanceOf(RunLockLostError);
      expect((err as Error).message).toMatch(/run lock for "dev" was lost \(the lease was taken over by another process\)/);
    } finally {
      await db.close();
      await t.cleanup();
    }
  });

  it('PostgreSQL: the lock connection terminated on the server is noticed, and the lock is free for the next run', async (ctx) => {
    const t = await createTestDatabase('postgres');
    if (t.actual !== 'postgres') {
      await t.cleanup();
      ctx.skip();
    }
    const db = await t.open();
    const other = await t.open();
    try {
      await migrateUp(db);
      const err = await loseLock(db, async () => {
        // Only this database's advisory locks: other test files hold theirs on the same server.
        const { rows } = await sql<{ pid: number }>`select pid from pg_locks where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())`.execute(other.kysely);
        expect(rows).toHaveLength(1);
        await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(other.kysely);
      });
      expect(err).toBeInstanceOf(RunLockLostError);
      expect((err as Error).message).toMatch(/its database connection failed/);
      expect(await withRunLock(other, 'dev', async () => 'next run')).toBe('next run');
    } finally {
      await db.close().catch(() => undefined);
      await other.close();
      await t.cleanup();
    }
  });
});
