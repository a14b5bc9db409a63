import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashLoop } from './support/crash.js';
import { createRelEnv, type RelEnv } from './support/env.js';
import { recordFigures } from './support/figures.js';

/**
 * Issue 8 §2: 20 days of staging changes; each day a real `ordersync run` child process is
 * SIGKILLed at a seeded moment (during merge, mid-request, between a create and its
 * write-back, during subitems), then the next run completes: no duplicate, nothing
 * missing, every row settled. The longer variant is tests/soak/crash-loop.soak.test.ts.
 */
describe('crash loop: SIGKILL a real `ordersync run` at seeded moments', () => {
  let env: RelEnv;
  beforeAll(async () => {
    env = await createRelEnv({ latencyMs: 15, batchSize: 5 });
  });
  afterAll(async () => {
    await env?.close();
  });

  it('20 iterations: the run after each kill converges with no duplicate and nothing missing', { timeout: 150_000 }, async () => {
    const started = Date.now();
    const iterations = await crashLoop(env, { iterations: 20, seed: 2024, orders: 16 });
    const killed = iterations.filter((x) => x.killed);
    expect(killed.length, JSON.stringify(iterations)).toBeGreaterThanOrEqual(15);
    expect(new Set(killed.map((x) => x.mode)).size).toBe(4);
    expect(iterations.some((x) => x.inFlightAfterKill > 0 && x.adopted > 0), 'at least one kill left applied creates in flight that were adopted').toBe(true);
    recordFigures('crash-loop', 'CI, 20 iterations', {
      iterations: iterations.length,
      killed: killed.length,
      byMode: Object.fromEntries(['merge', 'request', 'item-create', 'subitem-create'].map((m) => [m, killed.filter((x) => x.mode === m).length])),
      leftInFlight: iterations.reduce((n, x) => n + x.inFlightAfterKill, 0),
      adopted: iterations.reduce((n, x) => n + x.adopted, 0),
      ms: Date.now() - started,
    });
  });
});
