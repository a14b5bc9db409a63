import { afterAll, describe, expect, it } from 'vitest';
import { generateStaging } from '../../src/sampledata/index.js';
import { clientSettings } from '../../src/monday/from-config.js';
import { MONDAY_LIMITS } from '../../src/monday/limits.js';
import { assertBoardMatches, expectedBoard, readBoard } from '../support/board.js';
import { createSyncEnv, ITEMS_BOARD, type SyncEnv } from '../support/sync-env.js';

/**
 * The pacer follows the window monday reports (complexity read-back, RateLimit headers), so a
 * first load that needs more than one window of budget waits for each reset instead of
 * meeting a 429, whatever the emulator's time scale, with the config's budget left at its
 * default (never scaled by hand).
 */
const CASES = [
  { timeScale: 10, orders: 100, budget: MONDAY_LIMITS.complexityPerMinute },
  { timeScale: 60, orders: 60, budget: 4_000_000 },
  { timeScale: 1, orders: 8, budget: 1_200_000 },
];

describe.each(['sqlite', 'postgres'] as const)('pacing on %s', (engine) => {
  let env: SyncEnv | undefined;
  afterAll(async () => {
    await env?.close();
  });

  // Real time (scale 1) waits out whole minutes; the pacer never touches the database, so one engine shows it.
  const cases = engine === 'sqlite' ? CASES : CASES.filter((c) => c.timeScale !== 1);
  it.each(cases)('a first load at time scale $timeScale needs several windows and meets no 429', async ({ timeScale, orders, budget }) => {
    env = await createSyncEnv({ engine, timeScale, limits: { complexityPerMinute: budget } });
    expect(clientSettings(env.cfg.settings.monday).complexityPerMinute).toBe(MONDAY_LIMITS.complexityPerMinute);
    const rows = [...generateStaging({ seed: 21, orders, customers: 2, mess: false }).rows];
    await env.load(rows);
    const result = await env.run();
    expect(result.status, result.verdict.summary).toBe('OK');
    expect(result.sync?.stats.complexityUsed).toBeGreaterThan(budget);
    expect(result.sync?.stats.http429).toBe(0);
    expect(env.emulator.stats().byStatus[429] ?? 0).toBe(0);
    // Waiting follows the server's window: about one window per budget's worth of spend, not a fixed minute.
    const windowMs = 60_000 / timeScale;
    const used = result.sync?.stats.complexityUsed ?? 0;
    expect(result.sync?.stats.rateLimitWaitMs).toBeLessThan((Math.ceil(used / budget) + 1) * windowMs * 1.5);
    assertBoardMatches(await readBoard(env.emulator, ITEMS_BOARD), expectedBoard(rows, env.cfg.settings), `time scale ${timeScale}`);
    await env.close();
    env = undefined;
  }, 180_000);
});
