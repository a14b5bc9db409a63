import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStaging, type StagingRow } from '../../src/sampledata/index.js';
import { readBoard } from '../support/board.js';
import { collect, runCli, spawnCli } from '../support/cli.js';
import { createSyncEnv, ITEMS_BOARD, killAfterCreate, type SyncEnv } from '../support/sync-env.js';

interface VerifyJson {
  findings: Array<{ kind: string; order_key: string | null; item_id: string | null }>;
  inFlight: Array<{ order_key: string; item_id: string }>;
}

/**
 * `ordersync run` SIGKILLed after monday created a request's items but before their ids were
 * written back: the rows stay IN_FLIGHT without an item id. A whole-board `verify` must match
 * those items to their rows by business key and say the next run adopts them, never list them
 * as items no order has (which tells the operator to delete a real order's item).
 */
describe('verify after a run killed with creates in flight', () => {
  let env: SyncEnv;
  let rows: StagingRow[];

  beforeAll(async () => {
    env = await createSyncEnv({ engine: 'sqlite', latencyMs: 15, batchSize: 4 });
    rows = [...generateStaging({ seed: 31, orders: 12, customers: 2, mess: false }).rows];
    await env.load(rows);
  });
  afterAll(async () => {
    await env?.close();
  });


  const verify = async (): Promise<{ code: number; json: VerifyJson }> => {
    const r = await runCli(['--config', env.configPath, 'verify', '--json'], { cwd: env.dir, env: env.envVars, timeoutMs: 60_000 });
    expect(r.stderr).not.toMatch(/\n\s+at .*:\d+/);
    return { code: r.code, json: JSON.parse(r.stdout) as VerifyJson };
  };

  it('lists the in-flight creates found on the board as "the next run adopts it", not unknown_item; the next run adopts them', { timeout: 120_000 }, async () => {
    const child = spawnCli(['--config', env.configPath, 'run'], { cwd: env.dir, env: env.envVars });
    const hook = killAfterCreate(env.emulator, child, ITEMS_BOARD, 4);
    const killed = await collect(child, 60_000).finally(() => hook.restore());
    expect(hook.killed(), `the run finished before it could be killed:\n${killed.stdout}\n${killed.stderr}`).toBe(true);

    const inFlight = await env.db.kysely.selectFrom('orders').select(['order_key', 'monday_item_id']).where('sync_state', '=', 'IN_FLIGHT').execute();
    expect(inFlight.length, 'the kill left item creates in flight').toBeGreaterThan(0);
    const board = await readBoard(env.emulator, ITEMS_BOARD);
    const onBoard = inFlight.filter((o) => o.monday_item_id === null && board.items.has(o.order_key));
    expect(onBoard.length, 'creates monday ran before the kill').toBeGreaterThan(0);

    const check = await verify();
    const keys = new Set(onBoard.map((o) => o.order_key));
    expect(check.json.findings.filter((f) => f.kind === 'unknown_item' && f.order_key !== null && keys.has(f.order_key)), 'an in-flight create is not an item no order has').toEqual([]);
    expect(check.json.inFlight.map((f) => `${f.order_key} ${f.item_id}`).sort()).toEqual(onBoard.map((o) => `${o.order_key} ${board.items.get(o.order_key)?.id}`).sort());

    const text = await runCli(['--config', env.configPath, 'verify'], { cwd: env.dir, env: env.envVars, timeoutMs: 60_000 });
    expect(text.stdout).toContain('the next run adopts');

    const next = await runCli(['--config', env.configPath, 'run'], { cwd: env.dir, env: env.envVars, timeoutMs: 90_000 });
    expect(next.code, next.stdout + next.stderr).toBe(0);
    const after = await verify();
    expect(after.json.findings).toEqual([]);
    expect(after.json.inFlight).toEqual([]);
    expect(after.code).toBe(0);
  });
});
