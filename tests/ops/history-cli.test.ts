import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { databaseTarget, openDatabase, type Db } from '../../src/db/connect.js';
import { cliWorld, type CliWorld } from './cli-world.js';

/**
 * Run history (`ordersync runs`, `status --history N`) and `prune` through the built CLI, on an
 * environment with two real runs, the first one dated 40 days back.
 */

let w: CliWorld;
const OLD = new Date(Date.now() - 40 * 86_400_000).toISOString();

async function withDb<T>(f: (db: Db) => Promise<T>): Promise<T> {
  const envVars = { ...process.env, ...w.env, ORDERSYNC_ENV: undefined } as NodeJS.ProcessEnv;
  const db = await openDatabase(databaseTarget(loadConfig({ path: w.file, envVars }), envVars));
  try {
    return await f(db);
  } finally {
    await db.close();
  }
}
const count = (table: 'sync_events' | 'api_log', runId: number) =>
  withDb(async (db) => Number((await db.kysely.selectFrom(table).select(db.kysely.fn.countAll().as('n')).where('run_id', '=', runId).executeTakeFirstOrThrow()).n));

let first: number;
beforeAll(async () => {
  w = await cliWorld();
  await w.prepare(12);
  const again = await w.cli(['run']);
  expect(again.code, again.stderr).toBe(0);
  first = await withDb(async (db) => {
    const run = await db.kysely.selectFrom('sync_runs').select('id').where('command', '=', 'run').orderBy('id').executeTakeFirstOrThrow();
    const id = Number(run.id);
    await db.kysely.updateTable('sync_runs').set({ started_at: OLD, finished_at: new Date(Date.parse(OLD) + 12_000).toISOString() }).where('id', '=', id).execute();
    await db.kysely.updateTable('sync_events').set({ created_at: OLD }).where('run_id', '=', id).execute();
    await db.kysely.updateTable('api_log').set({ created_at: OLD }).where('run_id', '=', id).execute();
    return id;
  });
});
afterAll(async () => {
  await w?.close();
});

describe('run history', () => {
  it('ordersync runs lists verdict, records, duration and complexity; --since narrows by age', async () => {
    const all = await w.cli(['runs', '--json']);
    expect(all.code, all.stderr).toBe(0);
    const runs = JSON.parse(all.stdout).runs as Array<Record<string, any>>;
    expect(runs.map((r) => r.id)).toEqual([...runs.map((r) => r.id)].sort((a, b) => b - a));
    const one = runs.find((r) => r.id === first)!;
    expect(one).toMatchObject({ command: 'run', status: 'OK', duration_s: 12, rejected_rows: 0 });
    expect(one.records.succeeded).toBeGreaterThan(12);
    expect(one.records.failed).toBe(0);
    expect(one.complexity_used).toBeGreaterThan(0);
    expect(one.verdict).toMatch(/^ok: 100\.0% of \d+ records/);

    const recent = JSON.parse((await w.cli(['runs', '--since', '7d', '--json'])).stdout).runs as Array<{ id: number }>;
    expect(recent.length).toBe(runs.length - 1);
    expect(recent.map((r) => r.id)).not.toContain(first);

    const text = await w.cli(['runs']);
    expect(text.stdout).toMatch(/^run\s+command\s+status\s+started \(UTC\)\s+duration\s+ok\s+failed\s+cancelled\s+rejected\s+requests\s+complexity\s+verdict$/m);
    expect(text.stdout).toMatch(new RegExp(`^#${first}\\s+run\\s+OK\\s+${OLD.slice(0, 10)} ${OLD.slice(11, 19)}\\s+12 s\\s+\\d+\\s+0\\s+0\\s+0\\s+\\d+\\s+\\d{1,3}(,\\d{3})+\\s+ok: 100`, 'm'));
    const ambiguous = await w.cli(['runs', '--since', '1m']);
    expect(ambiguous.code).toBe(3);
    expect(ambiguous.stderr).toMatch(/"m" could be minutes or months/);
  });

  it('status --history N lists the last N runs the same way', async () => {
    const r = await w.cli(['status', '--history', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^last 1 runs:\nrun\s+command\s+status\s+started \(UTC\)\s+duration\s+ok\s+failed/m);
    expect(r.stdout.slice(r.stdout.indexOf('last 1 runs:')).match(/^#\d+ /gm)).toHaveLength(1);
    const j = JSON.parse((await w.cli(['status', '--history', '5', '--json'])).stdout) as { history: Array<{ id: number; records: unknown; complexity_used: number }> };
    expect(j.history.map((h) => h.id)).toContain(first);
    expect(j.history.find((h) => h.id === first)?.complexity_used).toBeGreaterThan(0);
  });
});

describe('prune', () => {
  it('--dry-run counts and deletes nothing; the journal of a run that can still be rolled back is kept unless --force', async () => {
    const events = await count('sync_events', first);
    const api = await count('api_log', first);
    expect(events).toBeGreaterThan(0);
    expect(api).toBeGreaterThan(0);

    const dry = await w.cli(['prune', '--older-than', '30d', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, apiLog: api, events: 0, keptForRollback: [{ runId: first, events }], forced: [] });
    const dryForce = JSON.parse((await w.cli(['prune', '--older-than', '30d', '--dry-run', '--force', '--json'])).stdout);
    expect(dryForce).toMatchObject({ dryRun: true, events, keptForRollback: [], forced: [{ runId: first, events }] });
    expect(await count('sync_events', first)).toBe(events);
    expect(await count('api_log', first)).toBe(api);

    const kept = await w.cli(['prune', '--older-than', '30d']);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stdout).toContain(`pruned ${api} API log rows and 0 journal events`);
    expect(kept.stdout).toContain(`kept the old journal events of run(s) that can still be rolled back: #${first} (${events}); --force deletes them too`);
    expect(await count('sync_events', first)).toBe(events);
    expect(await count('api_log', first)).toBe(0);
    const plan = await w.cli(['rollback', '--run', String(first), '--dry-run']);
    expect(plan.code, plan.stderr).toBe(0);

    const forced = await w.cli(['prune', '--older-than', '30d', '--force', '--json']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ dryRun: false, events, forced: [{ runId: first, events }] });
    expect(await count('sync_events', first)).toBe(0);
  });
});
