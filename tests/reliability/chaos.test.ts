import { describe, expect, it } from 'vitest';
import { chaosSequence, type ChaosOptions } from './support/chaos.js';

/**
 * Issue 12 acceptance: seeded random sequences of the operator's commands (`ingest`, `run`,
 * `retry`, `rollback`, `cutover`) as real child processes, each SIGKILLed with some
 * probability at a random moment (a random delay, or right after the n-th request reaches
 * monday). With a prior board the board starts with the prior system's items and the
 * sequence opens with a baseline; without, it starts empty. After the sequence the environment is driven to completion (unfinished rollback
 * or baseline resumed, then runs until nothing is pending) and the board must equal the
 * projection of the last staging that was loaded: no two active items share a key, no
 * subitem sits under another order's item, no two orders share an item id.
 */
describe('chaos: random operator commands, randomly SIGKILLed', () => {
  const seed = Number(process.env.ORDERSYNC_CHAOS_SEED ?? 1212);
  const sequences: Array<Omit<ChaosOptions, 'commands' | 'orders'> & { engine: 'sqlite' | 'postgres'; commands: number }> = [
    { engine: 'sqlite', seed, prior: true, commands: 10 },
    { engine: 'sqlite', seed: seed + 1, prior: false, commands: 12 },
    { engine: 'postgres', seed: seed + 2, prior: false, commands: 12 },
  ];
  it.each(sequences)('$engine, seed $seed, prior board $prior: $commands commands, then driven to completion, equal the projection', { timeout: 150_000 }, async (o) => {
    const result = await chaosSequence({ ...o, orders: 12, variant: 'CI' });
    expect(result.steps.filter((s) => s.killed).length, JSON.stringify(result.steps)).toBeGreaterThanOrEqual(2);
  });
});
