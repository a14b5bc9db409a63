import { describe, expect, it } from 'vitest';
import { chaosSequence } from '../reliability/support/chaos.js';

/**
 * The long chaos variant: more and longer seeded sequences of operator commands, each
 * randomly SIGKILLed, on SQLite and PostgreSQL, with and without the prior system's board.
 * SOAK_CHAOS_SEQUENCES (default 8) and SOAK_CHAOS_COMMANDS (default 30) size it.
 */
describe('chaos (soak)', () => {
  const sequences = Number(process.env.SOAK_CHAOS_SEQUENCES ?? 8);
  const commands = Number(process.env.SOAK_CHAOS_COMMANDS ?? 30);
  const seed = Number(process.env.SOAK_CHAOS_SEED ?? 9001);
  const cases = Array.from({ length: sequences }, (_, i) => ({ engine: i % 2 === 0 ? ('sqlite' as const) : ('postgres' as const), prior: i % 4 < 2, seed: seed + i }));
  it.each(cases)('$engine, seed $seed, prior board $prior converges', async (c) => {
    const result = await chaosSequence({ ...c, commands, orders: 20, variant: `soak, ${commands} commands` });
    expect(result.steps.filter((s) => s.killed).length).toBeGreaterThanOrEqual(commands * 0.25);
  });
});
