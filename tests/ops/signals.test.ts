import { afterEach, describe, expect, it } from 'vitest';
import { databaseTarget, openDatabase } from '../../src/db/connect.js';
import { ExitCode } from '../../src/errors.js';
import { collect, runCli, spawnCli } from '../support/cli.js';
import { firstItemsBatch, opsWorld, type OpsWorld } from './support.js';

/**
 * Kubernetes, systemd and Kestra end a job with SIGTERM (Ctrl-C sends SIGINT): the run
 * stops after the request in flight, writes it back, is marked ABORTED and frees the lock.
 */
let w: OpsWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

async function world(): Promise<OpsWorld> {
  // Slow answers, so the signal lands while the run is sending.
  const world = await opsWorld({ orders: 80, latencyMs: 300 });
  await world.db.close();
  return world;
}

const env = (x: OpsWorld) => ({ MONDAY_API_TOKEN: x.emulator.token, ORDERSYNC_ALERT_WEBHOOK: undefined });


async function dbState(x: OpsWorld) {
  const db = await openDatabase(databaseTarget(x.cfg, x.envVars));
  try {
    const runs = await db.kysely.selectFrom('sync_runs').selectAll().orderBy('id').execute();
    const byState = await db.kysely.selectFrom('orders').select(['sync_state', db.kysely.fn.countAll<number>().as('n')]).groupBy('sync_state').execute();
    const locks = await db.kysely.selectFrom('run_lock').selectAll().execute();
    return { runs, states: Object.fromEntries(byState.map((r) => [r.sync_state, Number(r.n)])), locks };
  } finally {
    await db.close();
  }
}

describe('a stop signal during a run', () => {
  for (const [signal, code] of [['SIGTERM', ExitCode.sigterm], ['SIGINT', ExitCode.sigint]] as const) {
    it(`${signal}: stops after the request in flight, marks the run ABORTED, releases the lock, exits ${code}`, async () => {
      const x = (w = await world());
      const child = spawnCli(['--config', x.file, 'run', '--log-format', 'json'], { cwd: x.dir, env: env(x) });
      const done = collect(child, 60_000);
      await firstItemsBatch(child);
      child.kill(signal);
      const r = await done;
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toContain(`${signal} received: stopping after the request in flight`);
      expect(r.stderr).toMatch(new RegExp(`ordersync: stopped by ${signal}: run #1 marked ABORTED, its lock released; the next run resumes`));
      expect(r.stderr).toContain('"msg":"run stopped by a signal"');
      expect(r.stderr).not.toContain('"msg":"run failed"');

      const s = await dbState(x);
      expect(s.runs).toHaveLength(1);
      expect(s.runs[0]).toMatchObject({ status: 'ABORTED', command: 'run' });
      expect(s.runs[0]?.verdict).toContain(`stopped by ${signal}`);
      expect(s.runs[0]?.finished_at).not.toBeNull();
      expect(s.states.IN_FLIGHT ?? 0).toBe(0);
      expect(s.states.SYNCED ?? 0).toBeGreaterThan(0);
      expect(s.states.PENDING ?? 0).toBeGreaterThan(0);
      expect(s.locks).toEqual([]);

      // The next run goes on from there and finishes the rest.
      const next = await runCli(['--config', x.file, 'run', '--json'], { cwd: x.dir, env: env(x), timeoutMs: 60_000 });
      expect(next.code, next.stderr).toBe(0);
      const after = await dbState(x);
      expect(after.runs.map((run) => run.status)).toEqual(['ABORTED', 'OK']);
      expect(after.states.PENDING ?? 0).toBe(0);
    });
  }

  it('a second signal exits at once', async () => {
    const x = (w = await world());
    const child = spawnCli(['--config', x.file, 'run', '--log-format', 'json'], { cwd: x.dir, env: env(x) });
    const done = collect(child, 60_000);
    await firstItemsBatch(child);
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(ExitCode.sigterm);
    expect(r.stderr).toContain('second SIGTERM: exiting now');
  });

  it('SIGTERM during rollback: stops between batches, the rollback run ABORTED, the lock released', async () => {
    const x = (w = await world());
    const first = await runCli(['--config', x.file, 'run', '--json'], { cwd: x.dir, env: env(x), timeoutMs: 60_000 });
    expect(first.code, first.stderr).toBe(0);
    const child = spawnCli(['--config', x.file, 'rollback', '--run', '1'], { cwd: x.dir, env: env(x) });
    const done = collect(child, 60_000);
    // The first batch written back: the rollback run's journal has undone operations.
    for (;;) {
      const db = await openDatabase(databaseTarget(x.cfg, x.envVars));
      const n = await db.kysely.selectFrom('sync_events').select(db.kysely.fn.countAll<number>().as('n')).where('run_id', '=', 2).executeTakeFirst().finally(() => db.close());
      if (Number(n?.n ?? 0) > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code, r.stderr).toBe(ExitCode.sigterm);
    expect(r.stderr).toContain('ordersync: stopped by SIGTERM: run #2 marked ABORTED, its lock released');
    const s = await dbState(x);
    expect(s.runs.map((run) => [run.command, run.status])).toEqual([['run', 'OK'], ['rollback', 'ABORTED']]);
    expect(s.locks).toEqual([]);
  });

  it('SIGTERM during merge: the merge rolled back, its run ABORTED, the lock released, exit 143', async () => {
    // Enough orders that the merge transaction lasts seconds.
    const x = (w = await opsWorld({ orders: 20_000 }));
    await x.db.close();
    const child = spawnCli(['--config', x.file, 'merge'], { cwd: x.dir, env: env(x) });
    const done = collect(child, 120_000);
    for (;;) {
      const s = await dbState(x);
      if (s.runs.some((run) => run.status === 'RUNNING')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code, r.stdout + r.stderr).toBe(ExitCode.sigterm);
    expect(r.stderr).toContain('ordersync: stopped by SIGTERM: run #1 marked ABORTED, its lock released');
    const s = await dbState(x);
    expect(s.runs.map((run) => [run.command, run.status])).toEqual([['merge', 'ABORTED']]);
    expect(s.states).toEqual({});
    expect(s.locks).toEqual([]);
  }, 180_000);

  it('SIGTERM during sync: the same stop, the sync run ABORTED', async () => {
    const x = (w = await world());
    expect((await runCli(['--config', x.file, 'merge'], { cwd: x.dir, env: env(x) })).code).toBe(0);
    const child = spawnCli(['--config', x.file, 'sync', '--log-format', 'json'], { cwd: x.dir, env: env(x) });
    const done = collect(child, 60_000);
    await firstItemsBatch(child);
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code, r.stderr).toBe(ExitCode.sigterm);
    const s = await dbState(x);
    expect(s.runs.map((run) => [run.command, run.status])).toEqual([['merge', 'OK'], ['sync', 'ABORTED']]);
    expect(s.states.IN_FLIGHT ?? 0).toBe(0);
    expect(s.locks).toEqual([]);
  });

  it('SIGTERM during a cutover\'s full run: that step ABORTED, the lock released; cutover again finishes it', async () => {
    const x = (w = await world());
    const child = spawnCli(['--config', x.file, 'cutover', '--log-format', 'json'], { cwd: x.dir, env: env(x) });
    const done = collect(child, 60_000);
    await firstItemsBatch(child);
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code, r.stderr).toBe(ExitCode.sigterm);
    expect(r.stderr).toMatch(/ordersync: stopped by SIGTERM: run #3 marked ABORTED, its lock released/);
    const s = await dbState(x);
    expect(s.runs.map((run) => [run.command, run.status])).toEqual([['cutover:preflight', 'OK'], ['cutover:baseline', 'OK'], ['cutover:full', 'ABORTED']]);
    expect(s.states.IN_FLIGHT ?? 0).toBe(0);
    expect(s.locks).toEqual([]);
    const again = await runCli(['--config', x.file, 'cutover', '--json'], { cwd: x.dir, env: env(x), timeoutMs: 60_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ complete: true });
  });

  it('SIGTERM to serve stops its scheduled run the same way', async () => {
    const x = (w = await world());
    const child = spawnCli(['--config', x.file, 'serve', '--port', '0', '--schedule', '*/5 * * * * *'], { cwd: x.dir, env: env(x) });
    const done = collect(child, 120_000);
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      child.stdout?.on('data', (d: Buffer) => (buf += d.toString()));
      const timer = setInterval(() => {
        void dbState(x)
          .then((s) => {
            if (s.states.SYNCED) {
              clearInterval(timer);
              resolve();
            }
          })
          .catch(() => undefined);
      }, 200);
      child.on('exit', () => {
        clearInterval(timer);
        reject(new Error(`serve exited early: ${buf}`));
      });
    });
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('"msg":"scheduled run stopped by a signal"');
    const s = await dbState(x);
    expect(s.runs.at(-1)).toMatchObject({ status: 'ABORTED' });
    expect(s.states.IN_FLIGHT ?? 0).toBe(0);
    expect(s.locks).toEqual([]);
  }, 120_000);
});

describe('another run holding the lock', () => {
  it('exits 4 and logs it at info, not as a failed run', async () => {
    const x = (w = await world());
    const first = spawnCli(['--config', x.file, 'run', '--log-format', 'json'], { cwd: x.dir, env: env(x) });
    const firstDone = collect(first, 60_000);
    await firstItemsBatch(first);
    const second = await runCli(['--config', x.file, 'run', '--log-format', 'json'], { cwd: x.dir, env: env(x) });
    expect(second.code).toBe(ExitCode.locked);
    const logs = second.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(logs.find((l) => l.msg.startsWith('run skipped: another run holds the lock'))?.level).toBe(30);
    expect(logs.some((l) => l.msg === 'run failed')).toBe(false);
    first.kill('SIGTERM');
    await firstDone;
  });
});
