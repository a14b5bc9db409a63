import { describe, expect, it } from 'vitest';
import { DailyLimitError, MondayError, classifyError } from '../../src/monday/errors.js';
import { CostEstimator, Pacer, parseRateLimitHeader } from '../../src/monday/pacer.js';
import { DEFAULT_RETRY_POLICY, backoffDelay, parseRetryAfter, rateLimitDelay } from '../../src/monday/retry.js';
import { fakeTime } from './support/fake-time.js';

describe('Pacer', () => {
  it('lets requests through while the window has room, then waits for the oldest spend to leave it', async () => {
    const time = fakeTime();
    const pacer = new Pacer(100_000, time);
    await pacer.reserve(40_000);
    time.advance(10_000);
    await pacer.reserve(40_000);
    expect(pacer.waitNeeded(40_000)).toBe(50_000);
    const r = await pacer.reserve(40_000);
    expect(r.waitedMs).toBe(50_000);
  });

  it('settling with the real cost frees the difference', async () => {
    const time = fakeTime();
    const pacer = new Pacer(100_000, time);
    const r = await pacer.reserve(90_000);
    expect(pacer.waitNeeded(30_000)).toBe(60_000);
    pacer.settle(r, 20_000);
    expect(pacer.waitNeeded(30_000)).toBe(0);
  });

  it('trusts what monday reports about the shared budget, and forgets it after the reset', () => {
    const time = fakeTime();
    const pacer = new Pacer(10_000_000, time);
    pacer.observeBudget({ remaining: 20_000, resetInMs: 15_000 });
    expect(pacer.waitNeeded(30_000)).toBe(15_000);
    expect(pacer.waitNeeded(10_000)).toBe(0);
    time.advance(15_000);
    expect(pacer.waitNeeded(30_000)).toBe(0);
  });

  it('a request larger than the whole budget still goes once the window is empty', async () => {
    const time = fakeTime();
    const pacer = new Pacer(50_000, time);
    expect(pacer.waitNeeded(80_000)).toBe(0);
    await pacer.reserve(80_000);
    expect(pacer.waitNeeded(80_000)).toBe(60_000);
  });

  it("counts its own spend per monday's window (length from RateLimit-Policy), not per fixed minute", async () => {
    const time = fakeTime();
    const pacer = new Pacer(100_000, time);
    pacer.observeBudget({ remaining: 1_000_000, resetInMs: 4_000, windowMs: 6_000 });
    await pacer.reserve(90_000);
    // Our own cap is full until monday's window resets, 4 s from now, not 60 s after the spend.
    expect(pacer.waitNeeded(30_000)).toBe(4_000);
    time.advance(4_000);
    expect(pacer.waitNeeded(30_000)).toBe(0);
    await pacer.reserve(90_000);
    // The next window is assumed to follow: it ends one window length later.
    expect(pacer.waitNeeded(30_000)).toBe(6_000);
  });

  it('blocks all requests while the per-minute request cap is spent', () => {
    const time = fakeTime();
    const pacer = new Pacer(10_000_000, time);
    pacer.blockRequestsFor(7_000);
    expect(pacer.waitNeeded(1)).toBe(7_000);
  });
});

describe('RateLimit headers', () => {
  it('parses the IETF structured form monday sends', () => {
    expect(parseRateLimitHeader('"minuteRate";r=4999, "concurrency";r=249, "complexityMinute";r=4950000;t=45')).toEqual([
      { name: 'minuteRate', params: { r: 4999 } },
      { name: 'concurrency', params: { r: 249 } },
      { name: 'complexityMinute', params: { r: 4950000, t: 45 } },
    ]);
    expect(parseRateLimitHeader('"complexityMinute";q=5000000;w=60;qu="content-bytes"')).toEqual([
      { name: 'complexityMinute', params: { q: 5000000, w: 60, qu: 'content-bytes' } },
    ]);
    expect(parseRateLimitHeader(null)).toEqual([]);
  });
});

describe('CostEstimator', () => {
  it('starts from the default and then prices per unit from what monday reported', () => {
    const costs = new CostEstimator({ mutation: 30_000, query: 10_000 });
    expect(costs.estimate('mutation', 'mutation', 20)).toBe(600_000);
    costs.learn('mutation', 20, 200_000);
    expect(costs.estimate('mutation', 'mutation', 5)).toBe(50_000);
    expect(costs.estimate('Me', 'query', 1)).toBe(10_000);
  });
});

describe('retry policy', () => {
  it('backs off exponentially with jitter, capped', () => {
    expect(backoffDelay(0, DEFAULT_RETRY_POLICY, () => 0)).toBe(250);
    expect(backoffDelay(0, DEFAULT_RETRY_POLICY, () => 1)).toBe(500);
    expect(backoffDelay(3, DEFAULT_RETRY_POLICY, () => 1)).toBe(4_000);
    expect(backoffDelay(20, DEFAULT_RETRY_POLICY, () => 1)).toBe(30_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2026, 10, 29, 12, 0, 0);
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter(new Date(now + 5_000).toUTCString(), now)).toBe(5_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('waits the longer of Retry-After and retry_in_seconds', () => {
    const e = new MondayError({ code: 'MINUTE_RATE_LIMIT_EXCEEDED', message: 'm', retryInSeconds: 10 });
    expect(rateLimitDelay(e, 3_000, 500, () => 0)).toBe(10_000);
    expect(rateLimitDelay(e, 20_000, 500, () => 0)).toBe(20_000);
  });
});

describe('error classification', () => {
  const cls = (code: string, more: Partial<Parameters<typeof classifyError>[0]> = {}) => classifyError({ code, ...more });

  it('never retries validation errors', () => {
    for (const code of [
      'ColumnValueException',
      'CorrectedValueException',
      'InvalidColumnIdException',
      'InvalidBoardIdException',
      'InvalidItemIdException',
      'ItemNameTooLongException',
      'ItemsLimitationException',
      'ResourceNotFoundException',
      'InvalidArgumentException',
      'USER_UNAUTHORIZED',
      'maxComplexityExceeded',
    ]) {
      expect(cls(code, { httpStatus: 200 }), code).toBe('fatal');
    }
    expect(cls('DeleteLastGroupException', { httpStatus: 409 })).toBe('fatal');
    expect(cls('Unauthorized', { httpStatus: 401 })).toBe('fatal');
  });

  it('waits out rate limits, in any spelling, or whenever retry_in_seconds is given', () => {
    for (const code of ['COMPLEXITY_BUDGET_EXHAUSTED', 'complexityException', 'maxConcurrencyExceeded', 'FIELD_LIMIT_EXCEEDED', 'tooManyRequests']) {
      expect(cls(code), code).toBe('rate');
    }
    expect(cls('SomethingNew', { retryInSeconds: 3 })).toBe('rate');
    expect(cls('SomethingNew', { httpStatus: 429 })).toBe('rate');
  });

  it('resends on server trouble, locks and idempotency conflicts', () => {
    expect(cls('HTTP_502', { httpStatus: 502 })).toBe('transient');
    expect(cls('INTERNAL_SERVER_ERROR', { httpStatus: 200, statusCode: 500 })).toBe('transient');
    expect(cls('Resource is currently locked', { httpStatus: 423 })).toBe('transient');
    expect(cls('IDEMPOTENCY_CONFLICT', { httpStatus: 409 })).toBe('transient');
  });

  it('singles out the daily limit', () => {
    expect(cls('DAILY_LIMIT_EXCEEDED', { httpStatus: 429, retryInSeconds: 3599 })).toBe('daily');
    const e = new DailyLimitError({ code: 'DAILY_LIMIT_EXCEEDED', message: 'm' }, new Date('2026-11-29T18:30:00Z'));
    expect(e.resetsAt.toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(e.retryable).toBe(false);
  });
});
