import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountBudget, accountKey, ensureBudgetTables } from '../../src/jobs/account-budget.js';
import { createTestDatabase, type TestDatabase } from '../support/engines.js';

describe('the shared per-account complexity budget (PostgreSQL rows)', () => {
  let test: TestDatabase;
  const pools: pg.Pool[] = [];

  beforeAll(async () => {
    test = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    for (const p of pools) await p.end();
    await test?.cleanup();
  });

  it('two processes booking on one account never pass the budget in any window; another account is apart', async (ctx) => {
    if (test.actual !== 'postgres') ctx.skip();
    const pool = () => {
      const p = new pg.Pool({ connectionString: test.target.url, max: 3 });
      // The database is dropped WITH (FORCE) at the end; an idle client told so must not fail the file.
      p.on('error', () => undefined);
      pools.push(p);
      return p;
    };
    // Workers starting together on a fresh database each create the tables.
    await Promise.all([pool(), pool(), pool(), pool()].map((p) => ensureBudgetTables(p)));
    const account = accountKey('http://emulator/v2', 'token-a');
    expect(account).not.toContain('token-a');
    const windowMs = 1_000;
    const budget = 100;
    // Two "processes": separate pools, one account.
    const a = new AccountBudget(pool(), { account, budget, windowMs });
    const b = new AccountBudget(pool(), { account, budget, windowMs });
    const other = new AccountBudget(pool(), { account: accountKey('http://emulator/v2', 'token-b'), budget, windowMs });
    const booked: { at: number; cost: number }[] = [];
    const book = async (x: AccountBudget, n: number) => {
      for (let i = 0; i < n; i++) {
        await x.reserve(30);
        booked.push({ at: Date.now(), cost: 30 });
      }
    };
    const started = Date.now();
    const [, , apart] = await Promise.all([book(a, 5), book(b, 5), other.reserve(90)]);
    expect(apart.waitedMs, 'another account is never held up by this one').toBe(0);
    // 300 points at 100 per window: at least two full windows of waiting.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * windowMs - 100);
    for (const s of booked) {
      const inWindow = booked.filter((x) => x.at >= s.at && x.at < s.at + windowMs - 50).reduce((n, x) => n + x.cost, 0);
      expect(inWindow, 'spend within one window').toBeLessThanOrEqual(budget);
    }

    // Settling for less than booked gives the room back at once.
    const c = new AccountBudget(pool(), { account: accountKey('x', 'y'), budget, windowMs: 60_000 });
    const first = await c.reserve(90);
    await first.settle(10);
    const t = Date.now();
    const second = await c.reserve(80);
    expect(second.waitedMs).toBe(0);
    expect(Date.now() - t).toBeLessThan(1_000);
  });
});
