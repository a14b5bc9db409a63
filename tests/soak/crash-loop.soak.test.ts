import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashLoop } from '../reliability/support/crash.js';
import { createRelEnv, type RelEnv } from '../reliability/support/env.js';
import { recordFigures } from '../reliability/support/figures.js';

/** The long crash loop: 100 seeded SIGKILLs of a real `ordersync run`, a larger board. */
describe('crash loop (soak)', () => {
  let env: RelEnv;
  beforeAll(async () => {
    // 100 days of runs within ~25 wall minutes would pass monday's 10,000 calls per (emulated,
    // 60× faster) day: the first soak run stopped cleanly on DAILY_LIMIT_EXCEEDED at day 82.
    env = await createRelEnv({ latencyMs: 15, batchSize: 5, limits: { dailyCalls: 1_000_000 } });
  });
  afterAll(async () => env?.close());

  it('100 iterations converge', async () => {
    const n = Number(process.env.SOAK_CRASH_ITERATIONS ?? 100);
    const started = Date.now();
    const it = await crashLoop(env, { iterations: n, seed: Number(process.env.SOAK_CRASH_SEED ?? 777), orders: 40 });
    const killed = it.filter((x) => x.killed).length;
    expect(killed).toBeGreaterThanOrEqual(n * 0.6);
    recordFigures('crash-loop', `soak, ${n} iterations`, { killed, adopted: it.reduce((a, x) => a + x.adopted, 0), ms: Date.now() - started });
  });
});
