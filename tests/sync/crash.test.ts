import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStaging, type StagingRow } from '../../src/sampledata/index.js';
import { assertBoardMatches, expectedBoard, readBoard } from '../support/board.js';
import { collect, runCli, spawnCli, type CliResult } from '../support/cli.js';
import { ENGINES } from '../support/engines.js';
import { createSyncEnv, ITEMS_BOARD, killAfterCreate, SUBITEMS_BOARD, type SyncEnv } from '../support/sync-env.js';

/**
 * `ordersync run` in a real child process, killed with SIGKILL in the middle of a request
 * (the emulator has applied it; the child never sees the answer). The next run must adopt
 * what was in flight instead of creating it again, and finish with the board equal to the
 * projection: no duplicate item or subitem, nothing missing.
 */

type Env = SyncEnv;


function cli(env: Env, args: string[]) {
  return spawnCli(['--config', env.configPath, ...args], { cwd: env.dir, env: env.envVars });
}

describe.each(ENGINES.filter((e) => e !== 'pglite'))('crash safety and the run lock on %s', (engine) => {
  let env: Env;
  let rows: StagingRow[];

  beforeAll(async () => {
    env = await createSyncEnv({ engine, latencyMs: 15, batchSize: 4 });
    rows = [
      ...generateStaging({ seed: 23, orders: 30, customers: 3, mess: { duplicateShare: 0.07, cancelledShare: 0.07, emptyKeyShare: 0.03 } }).rows,
    ];
    await env.load(rows);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('SIGKILL mid-items and mid-subitems: in-flight rows are adopted, the next run finishes with no duplicate and nothing missing; a concurrent run is refused', async () => {
    const db = env.db.kysely;

    // Run 1: killed while a batch of item creates is in flight (applied on the board, not recorded).
    const first = cli(env, ['run']);
    const hook1 = killAfterCreate(env.emulator, first, ITEMS_BOARD, 6);
    const r1 = await collect(first, 45_000).finally(() => hook1.restore());
    expect(hook1.killed(), `run 1 finished before it could be killed:\n${r1.stdout}\n${r1.stderr}`).toBe(true);
    expect(r1.code).toBe(137);

    const inFlight = await db.selectFrom('orders').select(['order_key', 'idempotency_key', 'monday_item_id']).where('sync_state', '=', 'IN_FLIGHT').execute();
    expect(inFlight.length, 'the kill left item creates in flight').toBeGreaterThan(0);
    for (const o of inFlight) {
      expect(o.idempotency_key).not.toBeNull();
      expect(o.monday_item_id).toBeNull();
    }
    let view = await readBoard(env.emulator, ITEMS_BOARD);
    const createdByLostRequest = new Map<string, string>();
    for (const o of inFlight) {
      const item = view.items.get(o.order_key);
      expect(item, `${o.order_key} was applied by monday before the kill`).toBeDefined();
      createdByLostRequest.set(o.order_key, item?.id as string);
    }
    const itemsAfterKill = view.items.size;

    // Run 2: adopts those items, carries on, and is killed in the subitems phase.
    const second = cli(env, ['run']);
    const hook2 = killAfterCreate(env.emulator, second, SUBITEMS_BOARD, 18);
    const r2 = await collect(second, 45_000).finally(() => hook2.restore());
    expect(hook2.killed(), `run 2 finished before it could be killed:\n${r2.stdout}\n${r2.stderr}`).toBe(true);
    expect(r2.code).toBe(137);

    const adopted = await db.selectFrom('sync_events').select(['order_key', 'monday_id']).where('operation', '=', 'adopt_item').execute();
    expect(new Map(adopted.map((e) => [e.order_key, e.monday_id]))).toEqual(createdByLostRequest);
    const linesInFlight = await db.selectFrom('order_lines').select(['id']).where('sync_state', '=', 'IN_FLIGHT').execute();
    expect(linesInFlight.length, 'the kill left subitem creates in flight').toBeGreaterThan(0);
    view = await readBoard(env.emulator, ITEMS_BOARD);
    expect(view.duplicateKeys.size).toBe(0);
    expect(view.items.size).toBeGreaterThanOrEqual(itemsAfterKill);

    // Run 3 finishes the job. While it holds the lock (its mutation requests stall until the
    // faults are cleared), a second `ordersync run` is refused: exit code 4, naming the holder.
    env.emulator.faults.clear();
    const injected = env.emulator.faults.injected;
    env.emulator.faults.next(100, 'slow', { delayMs: 2_000, mutationsOnly: true });
    const third = cli(env, ['run', '--json']);
    let exited: CliResult | undefined;
    const thirdDone = collect(third, 60_000).then((r) => (exited = r));
    const deadline = Date.now() + 30_000;
    while (env.emulator.faults.injected === injected) {
      if (exited) throw new Error(`run 3 ended (${exited.code}) before its first mutation:\n${exited.stdout}\n${exited.stderr}`);
      if (Date.now() > deadline) throw new Error('run 3 never reached its first mutation');
      await new Promise((r) => setTimeout(r, 25));
    }
    const refused = await runCli(['--config', env.configPath, 'run'], { cwd: env.dir, env: env.envVars, timeoutMs: 30_000 });
    const holderStillRunning = exited === undefined;
    env.emulator.faults.clear();
    expect(holderStillRunning, 'run 3 was still running when the second run was refused').toBe(true);
    expect(refused.code, `${refused.stdout}\n${refused.stderr}`).toBe(4);
    expect(refused.stderr + refused.stdout).toMatch(/run already in progress/);
    expect(refused.stderr + refused.stdout).toContain(`pid ${third.pid}`);

    const r3 = await thirdDone;
    expect(r3.code, r3.stderr).toBe(0);
    const summary = JSON.parse(r3.stdout) as { sync: { counts: Record<string, number> } };
    expect(summary.sync.counts.adopted_subitems).toBeGreaterThan(0);

    view = await readBoard(env.emulator, ITEMS_BOARD);
    const want = expectedBoard(rows, env.cfg.settings);
    assertBoardMatches(view, want, `${engine} after two crashes`);
    // Nothing was created twice and cleaned up behind our back either.
    expect(view.archived).toEqual([]);
    expect(view.deleted).toEqual([]);
    const subitemsOnBoard = [...(env.emulator.store.boards.get(SUBITEMS_BOARD)?.items.values() ?? [])];
    expect(subitemsOnBoard.length).toBe([...want.values()].reduce((n, i) => n + Object.keys(i.subitems).length, 0));
    for (const [key, id] of createdByLostRequest) {
      expect(view.items.get(key)?.id, `${key} keeps the item the lost request created`).toBe(id);
      expect((await db.selectFrom('orders').select('monday_item_id').where('order_key', '=', key).executeTakeFirstOrThrow()).monday_item_id).toBe(id);
    }

    const states = await db.selectFrom('orders').select(['order_key', 'sync_state']).execute();
    for (const o of states) expect(['SYNCED', 'SKIPPED'], o.order_key).toContain(o.sync_state);
    const lines = await db.selectFrom('order_lines').select(['sync_state', 'monday_subitem_id']).execute();
    // Lines of never-synced cancelled orders are SKIPPED with their order; every other line is on the board.
    for (const l of lines) expect(['SYNCED', 'SKIPPED']).toContain(l.sync_state);
    for (const l of lines.filter((x) => x.sync_state === 'SYNCED')) expect(l.monday_subitem_id).not.toBeNull();
    // Every subitem on the board is one of ours, exactly once.
    const lineIds = lines.filter((l) => l.monday_subitem_id !== null).map((l) => l.monday_subitem_id);
    expect(new Set(lineIds).size).toBe(lineIds.length);
    expect(new Set(lineIds)).toEqual(new Set(subitemsOnBoard.map((s) => s.id)));

    const quiet = await env.run();
    expect(quiet.sync?.stats.mutations).toBe(0);

    // The killed runs' records are closed by the next run, not left RUNNING forever.
    const runs = await db.selectFrom('sync_runs').select(['id', 'status', 'error']).orderBy('id').execute();
    // The refused run never got the lock, so it wrote no record.
    expect(runs.map((r) => r.status)).toEqual(['ABORTED', 'ABORTED', 'OK', 'OK']);
    expect(runs[0]?.error).toMatch(/killed or crashed/);
  });
});
