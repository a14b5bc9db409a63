import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import type { MutationLogEntry } from '../../src/emulator/index.js';
import { assertBoardMatches, expectedBoard, readBoard } from '../support/board.js';
import { collect, runCli } from '../support/cli.js';
import { createWorkersEnv, jsonLines, type WorkersEnv } from '../support/workers-env.js';

/** `ordersync-<env>-<run id>-<uuid>`: the writer is the run. */
function writerOf(key: string | null): string | undefined {
  return key?.replace(/-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(~\d+)?$/, '');
}

/** Per board, the time span of each writer's executed mutations; two spans on one board must not overlap. */
function overlappingWriters(log: MutationLogEntry[]): string[] {
  const spans = new Map<string, Map<string, { from: number; to: number }>>();
  for (const e of log) {
    const writer = writerOf(e.idempotencyKey);
    if (e.status !== 200 || !writer) continue;
    for (const board of e.boards) {
      const byWriter = spans.get(board) ?? new Map();
      spans.set(board, byWriter);
      const s = byWriter.get(writer);
      byWriter.set(writer, s ? { from: Math.min(s.from, e.startedAt), to: Math.max(s.to, e.finishedAt) } : { from: e.startedAt, to: e.finishedAt });
    }
  }
  const problems: string[] = [];
  for (const [board, byWriter] of spans) {
    const sorted = [...byWriter].sort((a, b) => a[1].from - b[1].from);
    for (let i = 1; i < sorted.length; i++) {
      const [prev, p] = sorted[i - 1]!;
      const [cur, c] = sorted[i]!;
      if (c.from < p.to) problems.push(`board ${board}: ${cur} wrote from ${c.from} while ${prev} wrote until ${p.to}`);
    }
  }
  return problems;
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('ordersync worker: 3 processes, 4 environments (two on one monday account), PostgreSQL queue', () => {
  let w: WorkersEnv;
  const workers: { child: ChildProcess; log: ReturnType<typeof jsonLines>; done: ReturnType<typeof collect> }[] = [];

  beforeAll(async () => {
    w = await createWorkersEnv({
      accounts: [0, 0, 1, 2],
      ordersPerEnv: 20,
      // A monday minute lasts 6 s; the shared account cannot serve both its boards within one.
      timeScale: 10,
      limits: { complexityPerMinute: 2_500_000, dailyCalls: 1_000_000 },
      budgetShare: 0.8,
      worker: { lease_seconds: 25, retry_delay_seconds: 1, poll_seconds: 0.5 },
    });
  }, 120_000);

  afterAll(async () => {
    for (const x of workers) if (x.child.exitCode === null) x.child.kill('SIGKILL');
    await w?.close();
  });

  it('every board converges, one writer per board at a time, a killed worker\'s job finishes elsewhere, no 429 on the shared account', async () => {
    for (let i = 0; i < 3; i++) {
      const child = w.spawn(['worker']);
      const log = jsonLines(child);
      const done = collect(child, 300_000);
      workers.push({ child, log, done });
    }
    await Promise.all(workers.map((x) => x.log.waitFor((l) => l.msg === 'worker started', 30_000)));

    const queued = await runCli(['--config', w.configPath, 'schedule', '--once', '--json'], { cwd: w.dir, env: w.envVars });
    expect(queued.code, queued.stderr).toBe(0);
    const jobs = JSON.parse(queued.stdout) as { env: string; jobId: string | null }[];
    expect(jobs.map((j) => j.env)).toEqual(['alpha', 'beta', 'gamma', 'delta']);
    expect(jobs.every((j) => j.jobId)).toBe(true);
    // One job per board: a second tick while they wait adds nothing.
    const again = await runCli(['--config', w.configPath, 'schedule', '--once', '--json'], { cwd: w.dir, env: w.envVars });
    expect((JSON.parse(again.stdout) as { jobId: string | null }[]).filter((j) => j.jobId).length).toBeLessThan(4);

    // Kill the worker running alpha once alpha's run has written to its board.
    const victim = await until('a worker to start alpha', 60_000, async () => workers.find((x) => x.log.lines.some((l) => l.msg === 'job started' && l.env === 'alpha')));
    const shared = w.accounts[0]!.emulator;
    await until('alpha writing', 60_000, async () => (shared.mutationLog().filter((e) => e.status === 200 && writerOf(e.idempotencyKey)?.startsWith('ordersync-alpha-')).length >= 2 ? true : undefined));
    victim.child.kill('SIGKILL');
    const killedPid = victim.child.pid;

    const finalRuns = await until('every environment to finish a run OK', 240_000, async () => {
      const all = await Promise.all(w.envs.map((e) => e.db.kysely.selectFrom('sync_runs').select(['id', 'status', 'pid']).orderBy('id').execute()));
      return all.every((runs) => runs.some((r) => r.status === 'OK')) ? all : undefined;
    });

    // alpha: the killed run is closed as ABORTED by the run that resumed it in another worker.
    const alphaRuns = finalRuns[0]!;
    expect(alphaRuns.map((r) => r.status)).toEqual(expect.arrayContaining(['ABORTED', 'OK']));
    expect(alphaRuns.find((r) => r.status === 'ABORTED')!.pid).toBe(killedPid);
    expect(alphaRuns.find((r) => r.status === 'OK')!.pid).not.toBe(killedPid);

    for (const x of workers.filter((x) => x !== victim)) x.child.kill('SIGTERM');
    for (const x of workers.filter((x) => x !== victim)) expect((await x.done).code).toBe(0);

    for (const e of w.envs) {
      const cfg = loadConfig({ path: w.configPath, env: e.name, envVars: { ...process.env, ...w.envVars } as NodeJS.ProcessEnv });
      const emulator = w.accounts[e.account]!.emulator;
      assertBoardMatches(await readBoard(emulator, e.itemsBoard), expectedBoard(e.rows, cfg.settings), `${e.name} board`);
    }
    const log = w.accounts.flatMap((a) => a.emulator.mutationLog());
    expect(log.length).toBeGreaterThan(0);
    expect(overlappingWriters(log)).toEqual([]);
    expect(shared.stats().rateLimited, 'no 429 on the account shared by alpha and beta').toBe(0);
    // The shared budget was the constraint: the account's runs waited for room instead.
    const waits = await Promise.all(w.envs.slice(0, 2).map((e) => e.db.kysely.selectFrom('sync_runs').select((eb) => eb.fn.sum<number>('rate_limit_waits').as('w')).executeTakeFirst()));
    expect(waits.reduce((s, r) => s + Number(r?.w ?? 0), 0)).toBeGreaterThan(0);
  }, 400_000);

  it('worker and schedule refuse SQLite with a clear message and exit 3', async () => {
    const r = await runCli(['--config', w.configPath.replace('ordersync.toml', 'missing.toml'), 'worker'], { cwd: w.dir, env: w.envVars });
    expect(r.code).toBe(3);
    const { writeFileSync } = await import('node:fs');
    const { starterConfig } = await import('../../src/config/starter.js');
    const sqlite = `${w.dir}/sqlite.toml`;
    writeFileSync(sqlite, starterConfig({}));
    for (const cmd of ['worker', 'schedule']) {
      const res = await runCli(['--config', sqlite, cmd], { cwd: w.dir, env: w.envVars });
      expect(res.code, res.stderr).toBe(3);
      expect(res.stderr).toContain('need PostgreSQL');
      expect(res.stderr).toContain('"dev": its database is sqlite');
    }
  });
});
