import { afterEach, describe, expect, it } from 'vitest';
import { nextDay } from '../../src/sampledata/index.js';
import { assertBoardMatches, readBoard } from '../support/board.js';
import { assertConverged, createRelEnv, type RelEnv } from '../reliability/support/env.js';
import { assertHonestBoard, cli, ITEMS_BOARD, spawn, staging } from './support.js';
import { killWhen } from '../support/cli.js';

/**
 * `rollback --run N` of a run that updated orders (quantities, sizes added and removed, header
 * fields) and created new ones, SIGKILLed after its n-th mutation request reached the emulator
 * (+0–30 ms, mid-request). interrupted.test.ts rolls back a run that only created items. Then:
 * `status`, `run` (refused), the same rollback again, which must leave the board as the day
 * before that run (values restored, its creations archived), and a `run` that brings it back.
 */
describe('rollback of an updating run, SIGKILLed mid-way, then the operator', () => {
  let env: RelEnv | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it.each([
    { n: 0, ms: 0, engine: 'sqlite' as const }, // not killed: the baseline of what an undone run leaves
    { n: 1, ms: 5, engine: 'sqlite' as const },
    { n: 3, ms: 25, engine: 'sqlite' as const },
    { n: 6, ms: 0, engine: 'sqlite' as const },
    { n: 2, ms: 10, engine: 'postgres' as const },
  ])('killed after mutation request $n (+$ms ms) on $engine', { timeout: 180_000 }, async ({ n, ms, engine }) => {
    const e = (env = await createRelEnv({ engine, latencyMs: 30, batchSize: 5 }));
    const day0 = staging(4600, 24);
    await e.load(day0);
    expect((await e.run()).status).toBe('OK');
    const want0 = await assertConverged(e, day0, 'day 0');
    const day1 = [...nextDay(day0, { seed: 4601, changeShare: 0.6, newShare: 0.25, cancelShare: 0, vanishShare: 0 }).rows];
    await e.load(day1);
    const second = await e.run();
    expect(second.status, second.verdict.summary).toBe('OK');
    const want1 = await assertConverged(e, day1, 'day 1', { previous: want0 });

    const args = ['rollback', '--run', String(second.runId)];
    let killed = false;
    if (n > 0) {
      const base = e.emulator.stats().mutationRequests;
      let armedAt: number | undefined;
      const r = await killWhen(spawn(e, args), () => {
        if (e.emulator.stats().mutationRequests - base < n) return false;
        armedAt ??= Date.now();
        return Date.now() - armedAt >= ms;
      });
      killed = r.killed;
      if (killed) expect(r.result.code).toBe(137);
      else expect(r.result.code, r.result.stdout + r.result.stderr).toBe(0);
      expect([...(await readBoard(e.emulator, ITEMS_BOARD)).duplicateKeys.keys()]).toEqual([]);
      const status = await cli(e, ['status']);
      expect(status.stderr).not.toMatch(/\n\s+at .*:\d+/);
      if (killed) {
        const refused = await cli(e, ['run']);
        expect(refused.code, refused.stdout + refused.stderr).toBe(4);
        expect(refused.stderr).toContain(`ordersync rollback --run ${second.runId}`);
      }
    }
    if (n === 0 || killed) {
      const rb = await cli(e, args);
      expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    }
    // Undone: the board shows day 0 again, exactly.
    assertBoardMatches(await readBoard(e.emulator, ITEMS_BOARD), want0, `rollback of run ${second.runId} (killed: ${killed})`);

    const again = await cli(e, ['run']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    await assertHonestBoard(e, day1, 'the run after the rollback', { previous: want1 });
    console.log(JSON.stringify({ suite: 'attack/rollback-killed', engine, n, ms, killed }));
  });
});
