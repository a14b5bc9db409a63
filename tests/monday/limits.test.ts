import { describe, expect, it } from 'vitest';
import { settingsSchema } from '../../src/config/schema.js';
import { MondayClient } from '../../src/monday/client.js';
import { clientSettings } from '../../src/monday/from-config.js';
import { CLIENT_DEFAULTS, MAX_BATCH_SIZE, MONDAY_LIMITS } from '../../src/monday/limits.js';
import { DEFAULT_RETRY_POLICY } from '../../src/monday/retry.js';

const client = (batchSize?: number) => new MondayClient({ apiUrl: 'http://127.0.0.1:1/v2', apiVersion: '2026-10', token: 't', batchSize });

describe("monday's limits, once (src/monday/limits.ts)", () => {
  it("a configuration that leaves [monday] unset runs with the client's defaults", () => {
    const defaults = clientSettings(settingsSchema.parse({}).monday);
    expect(defaults).toEqual({
      batchSize: CLIENT_DEFAULTS.batchSize,
      timeoutMs: CLIENT_DEFAULTS.timeoutMs,
      maxRetries: CLIENT_DEFAULTS.maxRetries,
      complexityPerMinute: MONDAY_LIMITS.complexityPerMinute,
    });
    expect(client().batchSize).toBe(defaults.batchSize);
    expect(DEFAULT_RETRY_POLICY.maxRetries).toBe(defaults.maxRetries);
  });

  it('the defaults keep within the facts: a request stays under its cap, a timeout outlasts monday', () => {
    expect(CLIENT_DEFAULTS.batchSize * MONDAY_LIMITS.mutationCost).toBeLessThan(MONDAY_LIMITS.complexityPerRequest);
    expect(MAX_BATCH_SIZE * MONDAY_LIMITS.mutationCost).toBeLessThan(MONDAY_LIMITS.complexityPerRequest);
    expect(CLIENT_DEFAULTS.timeoutMs).toBeGreaterThan(MONDAY_LIMITS.serverTimeoutMs);
  });

  it('a set value wins; a batch past the per-request cap is refused naming the key', () => {
    const s = settingsSchema.parse({ monday: { batch_size: 7, timeout_ms: 5_000 } }).monday;
    expect(clientSettings(s)).toMatchObject({ batchSize: 7, timeoutMs: 5_000 });
    expect(client(MAX_BATCH_SIZE).batchSize).toBe(MAX_BATCH_SIZE);
    expect(() => client(MAX_BATCH_SIZE + 1)).toThrow(`monday.batch_size must be an integer from 1 to ${MAX_BATCH_SIZE}`);
  });
});
