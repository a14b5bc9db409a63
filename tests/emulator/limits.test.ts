import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/emulator/index.js';
import { MONDAY_LIMITS } from '../../src/monday/limits.js';
import { emulator, ITEMS_BOARD } from './harness.js';

const BATCH = (n: number) =>
  `mutation { complexity { before query after reset_in_x_seconds } ${Array.from({ length: n }, (_, i) => `m${i}: create_item(board_id: ${ITEMS_BOARD}, item_name: "SO-${i}") { id }`).join(' ')} }`;

describe('limits', () => {
  it("emulates monday's limits as the client knows them (src/monday/limits.ts), the emulator importing nothing of it", () => {
    expect(DEFAULT_LIMITS).toMatchObject({
      complexityPerMinute: MONDAY_LIMITS.complexityPerMinute,
      maxComplexityPerRequest: MONDAY_LIMITS.complexityPerRequest,
      mutationCost: MONDAY_LIMITS.mutationCost,
      idempotencyTtlMinutes: MONDAY_LIMITS.idempotencyCacheMs / 60_000,
    });
  });

  it('charges ~30k per mutation and reports consistent complexity figures', async () => {
    const emu = await emulator();
    const a = (await emu.gql(BATCH(3))).body.data.complexity;
    expect(a.query).toBeGreaterThanOrEqual(3 * MONDAY_LIMITS.mutationCost);
    expect(a.query).toBeLessThan(3 * MONDAY_LIMITS.mutationCost + 1_000);
    expect(a.before).toBe(MONDAY_LIMITS.complexityPerMinute);
    expect(a.after).toBe(a.before - a.query);
    expect(a.reset_in_x_seconds).toBeGreaterThan(0);
    const b = (await emu.gql(BATCH(1))).body.data.complexity;
    expect(b.before).toBe(a.after);
    expect(emu.stats().complexityUsed).toBe(a.query + b.query);
  });

  it('refuses a request over the per-request maximum before running it', async () => {
    const emu = await emulator({ limits: { maxComplexityPerRequest: 100_000 } });
    const r = await emu.gql(BATCH(4));
    expect(r.status).toBe(200);
    expect(r.body.errors[0].extensions.code).toBe('maxComplexityExceeded');
    expect(emu.store.boards.get(ITEMS_BOARD)!.items.size).toBe(0);
  });

  it('answers an exhausted budget with 429, Retry-After and retry_in_seconds, then succeeds after waiting', async () => {
    const emu = await emulator({ timeScale: 60, limits: { complexityPerMinute: 100_000 } });
    expect((await emu.gql(BATCH(3))).status).toBe(200);
    const refused = await emu.gql(BATCH(1));
    expect(refused.status).toBe(429);
    expect(refused.body.errors[0]).toMatchObject({ message: 'Complexity budget exhausted', extensions: { code: 'COMPLEXITY_BUDGET_EXHAUSTED', retry_in_seconds: 1 } });
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(emu.store.boards.get(ITEMS_BOARD)!.items.size).toBe(3);
    await new Promise((r) => setTimeout(r, 1_000 * refused.body.errors[0].extensions.retry_in_seconds));
    const ok = await emu.gql(BATCH(1));
    expect(ok.status).toBe(200);
    expect(ok.body.data.complexity.before).toBe(100_000);
    expect(emu.stats().rateLimitedByCode).toEqual({ COMPLEXITY_BUDGET_EXHAUSTED: 1 });
  });

  it('caps requests per minute', async () => {
    const emu = await emulator({ limits: { requestsPerMinute: 2 } });
    await emu.gql('{ me { id } }');
    await emu.gql('{ me { id } }');
    const r = await emu.gql('{ me { id } }');
    expect(r.status).toBe(429);
    expect(r.body.errors[0].extensions).toMatchObject({ code: 'MINUTE_RATE_LIMIT_EXCEEDED', retry_in_seconds: expect.any(Number) });
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('caps concurrent requests', async () => {
    const emu = await emulator({ latencyMs: 150, limits: { maxConcurrent: 2 } });
    const results = await Promise.all(Array.from({ length: 4 }, () => emu.gql('{ me { id } }')));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
    const refused = results.find((r) => r.status === 429)!;
    expect(refused.body.errors[0].extensions.code).toBe('MAX_CONCURRENCY_EXCEEDED');
  });

  it('caps daily calls, counting refused ones as a tenth', async () => {
    const emu = await emulator({ limits: { dailyCalls: 2 } });
    await emu.gql('{ me { id } }');
    await emu.gql('{ me { id } }');
    const r = await emu.gql('{ me { id } }');
    expect(r.status).toBe(429);
    expect(r.body.errors[0].extensions.code).toBe('DAILY_LIMIT_EXCEEDED');
    expect(r.body.errors[0].extensions.retry_in_seconds).toBeGreaterThan(3600);
  });
});
