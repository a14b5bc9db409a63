import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStaging } from '../../src/sampledata/index.js';
import { collect, REPO_ROOT, spawnTs } from '../support/cli.js';
import { createSyncEnv, type SyncEnv } from '../support/sync-env.js';

const HOLDER = fileURLToPath(new URL('../queue/fixtures/hold-lock.ts', import.meta.url));

/**
 * Issue 12 #7: a merge is one long transaction. On SQLite the lease timer's renewal queued
 * behind it, so a merge longer than the lease looked abandoned and a second process took the
 * lock over while the first was alive. The merge renews the lease from inside its transaction.
 */
describe('the SQLite run lease under a merge longer than the lease', () => {
  let env: SyncEnv;
  beforeAll(async () => {
    env = await createSyncEnv({ engine: 'sqlite' });
    await env.load(generateStaging({ seed: 7, orders: 20_000, customers: 4 }).rows);
  }, 120_000);
  afterAll(async () => {
    await env?.close();
  });

  it('a second process trying the lock mid-merge never gets it before the merge released it; the merge finishes holding its lock', async () => {
    const leaseMs = 250;
    let started = 0;
    let ended = 0;
    const job = env
      .run({ command: 'merge', lock: { leaseMs, heartbeatMs: 100 }, progress: (phase, done) => phase === 'merge' && done === 0 && (started = Date.now()) })
      .finally(() => (ended = Date.now()));
    while (started === 0) await new Promise((r) => setTimeout(r, 10));
    // Well past the lease: without renewal it has expired by now.
    await new Promise((r) => setTimeout(r, leaseMs * 3));
    const child = spawnTs(HOLDER, [JSON.stringify(env.test.target), env.cfg.envName, '60000'], { cwd: REPO_ROOT });
    // A holder that got the lock waits for SIGTERM. It may only get it once the merge released it.
    let heldWhileMerging: boolean | undefined;
    child.stdout?.on('data', (d: Buffer) => {
      if (!d.toString().includes('HELD')) return;
      heldWhileMerging ??= ended === 0;
      child.kill('SIGTERM');
    });
    const other = await collect(child, 60_000);
    const result = await job;
    expect(heldWhileMerging ?? false, `the second process took the lock over from a live merge (merge ${result.durationMs} ms)`).toBe(false);
    if (heldWhileMerging === undefined) expect(other.stderr).toMatch(/run already in progress for "dev" since .* held by pid \d+/);
    expect(result.durationMs, 'the merge must outlast the lease several times').toBeGreaterThan(leaseMs * 5);
    expect(result.status).toBe('OK');
    expect(result.merge?.counts.new).toBeGreaterThan(18_000);
    // The merge released its own lease at the end (the other process may hold the lock now).
    expect(await env.db.kysely.selectFrom('run_lock').selectAll().where('pid', '=', process.pid).execute()).toEqual([]);
  }, 120_000);
});
