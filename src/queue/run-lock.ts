import { hostname } from 'node:os';
import { sql, type Kysely } from 'kysely';
import { ExitCode, OrdersyncError } from '../errors.js';
import type { Db } from '../db/index.js';

export class RunLockedError extends OrdersyncError {
  constructor(name: string, holder: { acquired_at: string; pid: number; host: string } | undefined) {
    super(
      holder
        ? `run already in progress for "${name}" since ${holder.acquired_at}, held by pid ${holder.pid} on ${holder.host}`
        : `run already in progress for "${name}" (held by another session)`,
      ExitCode.locked,
    );
  }
}

export class RunLockLostError extends OrdersyncError {
  constructor(name: string, why: string) {
    super(`the run lock for "${name}" was lost (${why}); stopped before the next request so two runs cannot overlap — the next run resumes`);
  }
}

export interface RunLockOptions {
  /** A lease not renewed for this long is considered abandoned. */
  leaseMs?: number;
  /** How often the holder checks that it still holds the lock. */
  heartbeatMs?: number;
}

/** Given to the locked work: it asks, between steps, whether the lock is still its own. */
export interface RunLockHandle {
  /** Throws RunLockLostError once the lock is known to be lost. */
  assertHeld(): void;
  /**
   * Renews the lease through `trx`, the work's own open transaction. SQLite has one writer:
   * while the work's transaction holds the database (a merge), the timer's renewal cannot
   * run, so the work renews from inside it and the renewal commits with it. Throws
   * RunLockLostError when the lease is no longer ours. `trx` speaks logical table names
   * (db.kysely or one of its transactions).
   */
  renew(trx: Kysely<any>): Promise<void>;
}

function handle(name: string, renewal?: (trx: Kysely<any>) => Promise<boolean>): RunLockHandle & { lose(why: string): void } {
  let lost: string | undefined;
  const h = {
    lose: (why: string) => {
      lost ??= why;
    },
    assertHeld: () => {
      if (lost !== undefined) throw new RunLockLostError(name, lost);
    },
    renew: async (trx: Kysely<any>) => {
      h.assertHeld();
      if (renewal && !(await renewal(trx))) h.lose('the lease was taken over by another process');
      h.assertHeld();
    },
  };
  return h;
}

/**
 * Two runs of one environment never overlap. An engine with a session lock (the dialect
 * adapter's: PostgreSQL's advisory lock, SQL Server's application lock) holds it on one
 * connection, and it dies with that connection. Otherwise (SQLite, PGlite) a lease row is
 * renewed while the run lives; a lease whose holder process is gone, or that expired, is taken over.
 */
export async function withRunLock<T>(db: Db, name: string, fn: (lock: RunLockHandle) => Promise<T>, opts: RunLockOptions = {}): Promise<T> {
  const leaseMs = opts.leaseMs ?? 60_000;
  const beat = opts.heartbeatMs ?? Math.max(1_000, Math.floor(leaseMs / 3));
  const session = db.adapter.sessionLock;
  if (session) {
    const lock = handle(name);
    return db.kysely.connection().execute(async (conn) => {
      const key = `ordersync:${name}`;
      const tryLock = () => session.tryAcquire(conn, key);
      let got = await tryLock();
      // A holder killed a moment ago (cron re-running after a crash) still owns the lock until
      // the server notices its connection is gone: wait a little for that, never for a live one.
      for (let i = 0; !got && i < 20; i++) {
        const holder = await readLease(db, name);
        if (!holder || !abandoned(holder)) break;
        await new Promise((r) => setTimeout(r, 250));
        got = await tryLock();
      }
      if (!got) throw new RunLockedError(name, await readLease(db, name));
      // The session lock dies with its connection (a restart, pg_terminate_backend): the
      // heartbeat notices, and the work stops at its next step.
      const heartbeat = setInterval(() => {
        sql`select 1`.execute(conn).catch((err: unknown) => lock.lose(`its database connection failed: ${err instanceof Error ? err.message : String(err)}`));
      }, beat);
      heartbeat.unref();
      try {
        await db.kysely.deleteFrom('run_lock').where('name', '=', name).execute();
        await insertLease(db, name, leaseMs);
        return await fn(lock);
      } finally {
        clearInterval(heartbeat);
        await db.kysely.deleteFrom('run_lock').where('name', '=', name).execute().catch(() => undefined);
        await session.release(conn, key).catch(() => undefined);
      }
    });
  }
  await acquireLease(db, name, leaseMs);
  const extend = async (executor: Kysely<any>): Promise<boolean> => {
    const r = await executor
      .updateTable('run_lock')
      .set({ expires_at: new Date(Date.now() + leaseMs).toISOString() })
      .where('name', '=', name)
      .where('pid', '=', process.pid)
      .executeTakeFirst();
    // Our lease row is gone or another process's: it was taken over (we looked dead).
    return Number(r.numUpdatedRows) > 0;
  };
  const lock = handle(name, extend);
  const timer = setInterval(() => {
    extend(db.kysely)
      .then((ours) => {
        if (!ours) lock.lose('the lease was taken over by another process');
      })
      .catch(() => undefined);
  }, beat);
  timer.unref();
  try {
    return await fn(lock);
  } finally {
    clearInterval(timer);
    await db.kysely.deleteFrom('run_lock').where('name', '=', name).where('pid', '=', process.pid).execute();
  }
}

async function acquireLease(db: Db, name: string, leaseMs: number): Promise<void> {
  const current = await readLease(db, name);
  if (current && !abandoned(current)) throw new RunLockedError(name, current);
  try {
    if (current) {
      // Only the lease as it was read: a holder that renewed it meanwhile keeps it.
      await db.kysely
        .deleteFrom('run_lock')
        .where('name', '=', name)
        .where('acquired_at', '=', current.acquired_at)
        .where('expires_at', '=', current.expires_at)
        .execute();
    }
    await insertLease(db, name, leaseMs);
  } catch (err) {
    // Another process inserted first (the primary key decided the race), or the holder's
    // work keeps the SQLite database locked past busy_timeout: it is alive. Anything else (a
    // lost connection) is reported as what it is.
    const holder = await readLease(db, name).catch(() => undefined);
    if (holder) throw new RunLockedError(name, holder);
    throw err;
  }
}

async function insertLease(db: Db, name: string, leaseMs: number): Promise<void> {
  const now = Date.now();
  await db.kysely
    .insertInto('run_lock')
    .values({
      name,
      holder: `${hostname()}:${process.pid}`,
      pid: process.pid,
      host: hostname(),
      acquired_at: new Date(now).toISOString(),
      expires_at: new Date(now + leaseMs).toISOString(),
    })
    .execute();
}

/**
 * Is a live process running a job of this environment now? `status` asks, so a record a
 * SIGKILL left RUNNING is not shown as running. A session lock is asked of the server; a
 * lease is live while it is renewed and (on this host) its process exists.
 */
export async function runLockLive(db: Db, name: string): Promise<boolean> {
  const session = db.adapter.sessionLock;
  if (session) return db.kysely.connection().execute((conn) => session.isHeld(conn, `ordersync:${name}`));
  const lease = await readLease(db, name);
  return lease !== undefined && !abandoned(lease);
}

async function readLease(db: Db, name: string) {
  return db.kysely.selectFrom('run_lock').selectAll().where('name', '=', name).executeTakeFirst();
}

function abandoned(lease: { expires_at: string; pid: number; host: string }): boolean {
  if (Date.parse(lease.expires_at) < Date.now()) return true;
  if (lease.host !== hostname()) return false;
  try {
    process.kill(lease.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
