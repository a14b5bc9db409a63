import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStaging, nextDay, type StagingRow } from '../../src/sampledata/index.js';
import { runCli } from '../support/cli.js';
import { createSyncEnv, type SyncEnv } from '../support/sync-env.js';

/** Every byte of the SQLite database, WAL and shared-memory files included. */
function fileDigest(path: string): string {
  const h = createHash('sha256');
  for (const p of [path, `${path}-wal`, `${path}-shm`]) h.update(p).update(existsSync(p) ? readFileSync(p) : 'absent');
  return h.digest('hex');
}

describe('plan', () => {
  let env: SyncEnv;
  let day2: StagingRow[];

  beforeAll(async () => {
    env = await createSyncEnv({ engine: 'sqlite' });
    const data = generateStaging({ seed: 31, orders: 30, mess: false });
    await env.load(data.rows);
    expect((await env.run()).status).toBe('OK');
    day2 = [...nextDay(data.rows, { seed: 32, changeShare: 0.3, cancelShare: 0.1, vanishShare: 0, newShare: 0.1 }).rows];
    await env.load(day2);
    await env.closeDb();
  });
  afterAll(async () => env?.close());

  it('leaves the database and the emulator byte-for-byte unchanged, and says what the run would do', async () => {
    const dbPath = env.cfg.settings.database.sqlite_path;
    const before = { db: fileDigest(dbPath), board: JSON.stringify(env.emulator.dump()), requests: env.emulator.stats().requests };

    const plan = await runCli(['plan', '--json'], { cwd: env.dir, env: { ...env.envVars, ORDERSYNC_CONFIG: env.configPath } });
    expect(plan.code, plan.stderr).toBe(0);
    const p = JSON.parse(plan.stdout);

    expect(fileDigest(dbPath)).toBe(before.db);
    expect(JSON.stringify(env.emulator.dump())).toBe(before.board);
    expect(env.emulator.stats().requests).toBe(before.requests);

    const c = p.merge.counts;
    expect(p.merge.dryRun).toBe(true);
    expect(c.updated + c.cancelled + c.new).toBeGreaterThan(0);
    expect(p.estimate.itemMutations).toBe(c.new + c.updated + c.cancelled + c.reactivated);
    expect(p.estimate.requests).toBeGreaterThan(0);
    expect(p.estimate.complexity).toBeGreaterThanOrEqual((p.estimate.itemMutations + p.estimate.subitemMutations) * 30_000);
    const changed = p.orders.filter((o: { outcome: string }) => o.outcome === 'updated');
    expect(changed.length).toBe(c.updated);
    // Every updated order shows at least one field with its old and new value, or only its lines changed.
    for (const o of changed) for (const d of o.diffs) expect(d.from).not.toEqual(d.to);

    // What plan announced is what the run then does.
    const { openDatabase, databaseTarget } = await import('../../src/db/connect.js');
    const { runJob } = await import('../../src/jobs/run.js');
    const envVars = { ...process.env, ...env.envVars } as NodeJS.ProcessEnv;
    const db = await openDatabase(databaseTarget(env.cfg, envVars));
    try {
      const run = await runJob(db, env.cfg, { command: 'run', envVars });
      expect(run.merge?.counts).toEqual({ ...c, rows_written: run.merge?.counts.rows_written });
      const sync = run.sync!.counts;
      expect(sync.items_created + sync.items_updated + sync.items_cancelled + sync.items_unchanged).toBe(p.estimate.itemMutations);
    } finally {
      await db.close();
    }
  });
});
