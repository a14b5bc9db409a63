import { afterEach, describe, expect, it } from 'vitest';
import type { MutationOp } from '../../src/monday/batch.js';
import { MondayClient, type ExchangeRecord, type MondayClientOptions } from '../../src/monday/client.js';
import { DailyLimitError, MondayError } from '../../src/monday/errors.js';
import { fakeTime } from './support/fake-time.js';
import { ok, rateLimited, startScriptServer, type Script, type ScriptServer } from './support/script-server.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.secret-token-value';
const createOp = (n: number): MutationOp => ({
  kind: 'create_item',
  board_id: '9609317401',
  group_id: 'topics',
  item_name: `SO-${n}`,
  column_values: { text_mkr5wya6: `SO-${n}` },
});
const item = (id: string, name: string) => ({ id, name, state: 'active', board: { id: '9609317401' }, group: { id: 'topics' } });

let server: ScriptServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(script: Script[], options: Partial<MondayClientOptions> = {}) {
  server = await startScriptServer(script);
  const time = fakeTime();
  const exchanges: ExchangeRecord[] = [];
  const client = new MondayClient({
    apiUrl: server.url,
    apiVersion: '2026-10',
    token: TOKEN,
    timeoutMs: 2_000,
    maxRetries: 3,
    now: time.now,
    sleep: time.sleep,
    random: () => 0.5,
    onExchange: (r) => exchanges.push(r),
    ...options,
  });
  return { client, time, exchanges, requests: server.requests };
}

describe('MondayClient transport', () => {
  it('sends the bare token, the pinned version and an Idempotency-Key only on mutations', async () => {
    const { client, requests } = await setup([
      ok({ op_0: item('9000000001', 'SO-1') }),
      ok({ me: { id: '1', name: 'Sync', email: 's@x.y' }, version: { value: '2026-10', kind: 'current' } }),
    ]);
    const results = await client.mutate([createOp(1)], { idempotencyKey: 'run1:order1:create' });
    expect(results).toEqual([{ ok: true, data: item('9000000001', 'SO-1') }]);
    await client.me();

    expect(requests[0]!.headers.authorization).toBe(TOKEN);
    expect(requests[0]!.headers['api-version']).toBe('2026-10');
    expect(requests[0]!.headers['content-type']).toBe('application/json');
    expect(requests[0]!.headers['idempotency-key']).toBe('run1:order1:create');
    expect(requests[0]!.body.variables).toMatchObject({ item_name_0: 'SO-1', column_values_0: '{"text_mkr5wya6":"SO-1"}' });
    expect(requests[1]!.headers['idempotency-key']).toBeUndefined();
  });

  it('on 429 waits max(Retry-After, retry_in_seconds) and resends with the same key', async () => {
    const { client, time, requests } = await setup([
      rateLimited('MINUTE_RATE_LIMIT_EXCEEDED', 5, 3),
      ok({ op_0: item('9000000001', 'SO-1') }),
    ]);
    const [result] = await client.mutate([createOp(1)], { idempotencyKey: 'k-429' });
    expect(result!.ok).toBe(true);
    expect(requests.map((r) => r.headers['idempotency-key'])).toEqual(['k-429', 'k-429']);
    expect(time.waits).toHaveLength(1);
    expect(time.waits[0]).toBeGreaterThanOrEqual(5_000);
    expect(time.waits[0]).toBeLessThanOrEqual(6_000);
    expect(client.stats).toMatchObject({ requests: 2, retries: 1, http429: 1, rateLimitWaits: 1, mutations: 1 });
    expect(client.stats.errorsByCode).toEqual({ MINUTE_RATE_LIMIT_EXCEEDED: 1 });
  });

  it('honours Retry-After when it is the longer wait', async () => {
    const { client, time } = await setup([rateLimited('MAX_CONCURRENCY_EXCEEDED', 1, 20), ok({ op_0: item('1', 'a') })]);
    await client.mutate([createOp(1)], { idempotencyKey: 'k' });
    expect(time.waits[0]).toBeGreaterThanOrEqual(20_000);
  });

  it('retries 5xx and dropped connections with backoff and the same key', async () => {
    const { client, time, requests } = await setup([
      { status: 502, body: '<html>Bad gateway</html>', headers: { 'content-type': 'text/html' } },
      { drop: true },
      ok({ op_0: item('9000000001', 'SO-1') }),
    ]);
    const [result] = await client.mutate([createOp(1)], { idempotencyKey: 'k-5xx' });
    expect(result).toMatchObject({ ok: true });
    expect(requests.map((r) => r.headers['idempotency-key'])).toEqual(['k-5xx', 'k-5xx', 'k-5xx']);
    // equal jitter with random 0.5: 3/4 of 500 ms, then of 1000 ms
    expect(time.waits).toEqual([375, 750]);
    expect(client.stats.errorsByCode).toEqual({ HTTP_502: 1, NETWORK_ERROR: 1 });
  });

  it('times out a slow answer and resends with the same key', async () => {
    const { client, requests } = await setup(
      [{ ...ok({ op_0: item('1', 'late') }), delayMs: 1_500 }, ok({ op_0: item('1', 'SO-1') })],
      { timeoutMs: 300 },
    );
    const [result] = await client.mutate([createOp(1)], { idempotencyKey: 'k-slow' });
    expect(result).toEqual({ ok: true, data: item('1', 'SO-1') });
    expect(requests).toHaveLength(2);
    expect(client.stats.errorsByCode).toEqual({ TIMEOUT: 1 });
  });

  it('gives up after maxRetries transient failures: every op fails, marked as maybe applied', async () => {
    const { client, requests } = await setup(Array.from({ length: 10 }, () => ({ status: 503, body: 'down' })));
    const results = await client.mutate([createOp(1), createOp(2)], { idempotencyKey: 'k' });
    expect(requests).toHaveLength(4); // 1 + maxRetries(3)
    for (const r of results) {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('HTTP_503');
        expect(r.error.maybeApplied).toBe(true);
        expect(r.error.retryable).toBe(true);
      }
    }
  });

  it('never retries a validation error and keeps monday code, message and error_data', async () => {
    const { client, requests } = await setup([
      {
        body: {
          data: { complexity: null, op_0: null },
          errors: [
            {
              message: 'invalid value, please check our API documentation for the correct data structure for this column.',
              path: ['op_0'],
              extensions: {
                code: 'ColumnValueException',
                status_code: 200,
                error_data: { column_value: 'abc', column_type: 'numbers', column_id: 'numeric_mkr5cact' },
              },
            },
          ],
          extensions: { request_id: 'req-cve' },
        },
      },
    ]);
    const [result] = await client.mutate([createOp(1)], { idempotencyKey: 'k' });
    expect(requests).toHaveLength(1);
    expect(result!.ok).toBe(false);
    if (!result!.ok) {
      expect(result!.error).toBeInstanceOf(MondayError);
      expect(result!.error.code).toBe('ColumnValueException');
      expect(result!.error.mondayMessage).toMatch(/^invalid value, please check/);
      expect(result!.error.message).toMatch(/^ColumnValueException: invalid value/);
      expect(result!.error.errorData).toEqual({ column_value: 'abc', column_type: 'numbers', column_id: 'numeric_mkr5cact' });
      expect(result!.error.requestId).toBe('req-cve');
      expect(result!.error.retryable).toBe(false);
    }
  });

  it('keeps successful aliases of a partly failed batch, matching errors by path, not position', async () => {
    const { client, requests } = await setup([
      {
        body: {
          data: {
            complexity: { before: 9e6, after: 8.91e6, query: 90_000, reset_in_x_seconds: 30 },
            op_0: item('9000000001', 'SO-1'),
            op_1: null,
            op_2: item('9000000003', 'SO-3'),
            op_3: null,
          },
          // deliberately not in alias order
          errors: [
            { message: 'name too long', path: ['op_3'], extensions: { code: 'ItemNameTooLongException' } },
            { message: 'bad column', path: ['op_1'], extensions: { code: 'InvalidColumnIdException', error_data: { column_id: 'text_x' } } },
          ],
        },
      },
    ]);
    const results = await client.mutate([createOp(1), createOp(2), createOp(3), createOp(4)], { idempotencyKey: 'k' });
    expect(requests).toHaveLength(1);
    expect(results.map((r) => (r.ok ? r.data.id : r.error.code))).toEqual([
      '9000000001',
      'InvalidColumnIdException',
      '9000000003',
      'ItemNameTooLongException',
    ]);
    expect(client.stats.complexityUsed).toBe(90_000);
  });

  it('does not resend a batch in which some aliases succeeded, even if the others hit a rate limit', async () => {
    const { client, requests } = await setup([
      {
        body: {
          data: { complexity: null, op_0: item('1', 'SO-1'), op_1: null },
          errors: [{ message: 'busy', path: ['op_1'], extensions: { code: 'tooManyRequests', status_code: 400 } }],
        },
      },
    ]);
    const results = await client.mutate([createOp(1), createOp(2)], { idempotencyKey: 'k' });
    expect(requests).toHaveLength(1);
    expect(results[0]!.ok).toBe(true);
    expect(results[1]!.ok).toBe(false);
    if (!results[1]!.ok) expect(results[1]!.error.retryable).toBe(true);
  });

  it('a request-level complexity rejection fails every op; it is retried after retry_in_seconds', async () => {
    const rejection = {
      status: 429,
      body: {
        errors: [{ message: 'Complexity budget exhausted', extensions: { code: 'COMPLEXITY_BUDGET_EXHAUSTED', retry_in_seconds: 12 } }],
        extensions: { request_id: 'r' },
      },
    };
    const { client, time, requests } = await setup([rejection, ok({ op_0: item('1', 'a'), op_1: item('2', 'b') })]);
    const results = await client.mutate([createOp(1), createOp(2)], { idempotencyKey: 'k' });
    expect(results.every((r) => r.ok)).toBe(true);
    expect(requests).toHaveLength(2);
    expect(time.waits[0]).toBeGreaterThanOrEqual(12_000);

    const giveUp = await setup([rejection], { maxTotalWaitMs: 5_000 });
    const failed = await giveUp.client.mutate([createOp(1), createOp(2)], { idempotencyKey: 'k2' });
    expect(giveUp.requests).toHaveLength(1);
    expect(failed.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['COMPLEXITY_BUDGET_EXHAUSTED', 'COMPLEXITY_BUDGET_EXHAUSTED']);
  });

  it('stops on the daily call limit with a distinct error instead of waiting for hours', async () => {
    const { client, requests, time } = await setup([rateLimited('DAILY_LIMIT_EXCEEDED', 3599, 3599)]);
    const err = await client.mutate([createOp(1)], { idempotencyKey: 'k' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DailyLimitError);
    expect((err as DailyLimitError).resetsAt.toISOString()).toMatch(/T00:00:00\.000Z$/);
    expect(requests).toHaveLength(1);
    expect(time.waits).toEqual([]);
  });

  it('does not throw away applied aliases when a daily-limit error arrives beside them', async () => {
    const { client } = await setup([
      {
        body: {
          data: { complexity: null, op_0: item('1', 'SO-1'), op_1: null },
          errors: [{ message: 'Daily limit exceeded', path: ['op_1'], extensions: { code: 'DAILY_LIMIT_EXCEEDED', retry_in_seconds: 3599 } }],
        },
      },
    ]);
    const results = await client.mutate([createOp(1), createOp(2)], { idempotencyKey: 'k' });
    expect(results[0]!.ok).toBe(true);
    expect(!results[1]!.ok && results[1]!.error).toBeInstanceOf(DailyLimitError);
  });

  it('gives up at once when monday asks for a wait beyond maxTotalWaitMs', async () => {
    const { client, requests, time } = await setup([rateLimited('MINUTE_RATE_LIMIT_EXCEEDED', 600)], { maxTotalWaitMs: 60_000 });
    const [result] = await client.mutate([createOp(1)], { idempotencyKey: 'k' });
    expect(requests).toHaveLength(1);
    expect(time.waits).toEqual([]);
    expect(!result!.ok && result!.error.retryable).toBe(true);
  });

  it('maps the legacy top-level error shape', async () => {
    const { client } = await setup([
      { status: 200, body: { error_code: 'InvalidBoardIdException', error_message: 'The board does not exist', error_data: { board_id: 1 }, status_code: 200 } },
    ]);
    const err = await client.query('query Q { me { id } }').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'InvalidBoardIdException', errorData: { board_id: 1 } });
  });

  it('refuses a batch larger than the batch size and sends nothing for an empty one', async () => {
    const { client, requests } = await setup([], { batchSize: 2 });
    await expect(client.mutate([createOp(1), createOp(2), createOp(3)], { idempotencyKey: 'k' })).rejects.toThrow(RangeError);
    await expect(client.mutate([], { idempotencyKey: 'k' })).resolves.toEqual([]);
    expect(requests).toHaveLength(0);
  });

  it('waits out an idempotency conflict (the first request is still running) and resends the same key', async () => {
    const { client, time, requests } = await setup([
      {
        status: 409,
        headers: { 'retry-after': '4' },
        body: { errors: [{ message: 'Request with this key is in progress', extensions: { code: 'IDEMPOTENCY_CONFLICT' } }] },
      },
      { ...ok({ op_0: item('1', 'SO-1') }), headers: { 'Idempotency-Replayed': 'true' } },
    ]);
    const [result] = await client.mutate([createOp(1)], { idempotencyKey: 'k-409' });
    expect(result).toMatchObject({ ok: true, data: { id: '1' } });
    expect(time.waits).toEqual([4_000]);
    expect(requests.map((r) => r.headers['idempotency-key'])).toEqual(['k-409', 'k-409']);
  });

  it('an aborted run stops waiting at once', async () => {
    server = await startScriptServer([rateLimited('MINUTE_RATE_LIMIT_EXCEEDED', 60)]);
    const controller = new AbortController();
    const client = new MondayClient({ apiUrl: server.url, apiVersion: '2026-10', token: TOKEN, signal: controller.signal });
    const pending = client.mutate([createOp(1)], { idempotencyKey: 'k' });
    setTimeout(() => controller.abort(new Error('SIGTERM')), 100);
    await expect(pending).rejects.toThrow('SIGTERM');
    expect(server.requests).toHaveLength(1);
  });

  it('counts idempotent replays', async () => {
    const { client, exchanges } = await setup([{ ...ok({ op_0: item('1', 'SO-1') }), headers: { 'Idempotency-Replayed': 'true' } }]);
    await client.mutate([createOp(1)], { idempotencyKey: 'k' });
    expect(client.stats.idempotentReplays).toBe(1);
    expect(exchanges[0]!.idempotentReplay).toBe(true);
  });
});

describe('MondayClient pacing', () => {
  it('waits for the window to reset when the reported budget cannot pay for the next batch', async () => {
    const { client, time, requests } = await setup([
      ok({ op_0: item('1', 'a') }, { before: 100_000, after: 50_000, query: 50_000, reset_in_x_seconds: 30 }),
      ok({ op_0: item('2', 'b'), op_1: item('3', 'c') }),
    ]);
    await client.mutate([createOp(1)], { idempotencyKey: 'k1' });
    // learned: 50k per mutation; two need 100k but only 50k remain until the reset in 30 s
    await client.mutate([createOp(2), createOp(3)], { idempotencyKey: 'k2' });
    expect(requests).toHaveLength(2);
    expect(time.waits).toEqual([30_000]);
    expect(client.stats).toMatchObject({ rateLimitWaits: 1, rateLimitWaitMs: 30_000, http429: 0, complexityUsed: 80_000 });
  });

  it('paces from the RateLimit header when the body has no complexity block', async () => {
    const { client, time } = await setup([
      {
        headers: { RateLimit: '"minuteRate";r=4999, "concurrency";r=249, "complexityMinute";r=10000;t=12' },
        body: { data: { me: { id: '1', name: 'n', email: 'e' }, version: { value: '2026-10', kind: 'current' } } },
      },
      ok({ op_0: item('1', 'a') }),
    ]);
    await client.me();
    await client.mutate([createOp(1)], { idempotencyKey: 'k' });
    expect(time.waits).toEqual([12_000]);
  });

  it('holds back when the per-minute request count is spent', async () => {
    const { client, time } = await setup([
      { ...ok({ op_0: item('1', 'a') }), headers: { RateLimit: '"minuteRate";r=0;t=7' } },
      ok({ op_0: item('2', 'b') }),
    ]);
    await client.mutate([createOp(1)], { idempotencyKey: 'k1' });
    await client.mutate([createOp(2)], { idempotencyKey: 'k2' });
    expect(time.waits).toEqual([7_000]);
  });

  it("keeps its own spend under the configured budget per monday window, which resets when monday says", async () => {
    const steps = Array.from({ length: 5 }, (_, i) =>
      ok({ op_0: item(String(i), 'x') }, { before: 9e6, after: 9e6, query: 30_000, reset_in_x_seconds: 59 }),
    );
    const { client, time } = await setup(steps, { complexityBudgetPerMinute: 60_000 });
    // two 30k mutations fill the 60k budget; the next two wait for monday's reset, 59 s away
    for (let i = 0; i < 5; i++) await client.mutate([createOp(i)], { idempotencyKey: `k${i}` });
    expect(time.waits).toEqual([59_000, 59_000]);
  });
});

describe('exchange records', () => {
  it('records every attempt with bodies, status, request id and key, never the token', async () => {
    const { client, exchanges } = await setup([
      rateLimited('MINUTE_RATE_LIMIT_EXCEEDED', 1),
      { body: { data: { complexity: null, op_0: item('1', 'a') }, echo: `Authorization: ${TOKEN}`, extensions: { request_id: 'req-2' } } },
    ]);
    await client.mutate([createOp(1)], { idempotencyKey: 'key-1' });
    expect(exchanges).toHaveLength(2);
    expect(exchanges.map((e) => [e.attempt, e.status, e.idempotencyKey, e.requestId])).toEqual([
      [0, 429, 'key-1', 'req-429'],
      [1, 200, 'key-1', 'req-2'],
    ]);
    expect(exchanges[0]!.error).toEqual({ code: 'MINUTE_RATE_LIMIT_EXCEEDED', message: 'MINUTE_RATE_LIMIT_EXCEEDED' });
    expect(JSON.parse(exchanges[1]!.requestBody).operationName).toBe('MutationBatch');
    expect(JSON.stringify(exchanges)).not.toContain(TOKEN);
    expect(exchanges[1]!.responseBody).toContain('[REDACTED]');
  });
});

describe('reads', () => {
  it('pages items_page_by_column_values through next_items_page until the cursor is null', async () => {
    const found = (id: string) => ({ ...item(id, 'SO-1'), group: { id: 'g', title: 'G' }, column_values: [] });
    const { client, requests } = await setup([
      ok({ items_page_by_column_values: { cursor: 'c1', items: [found('1')] } }),
      ok({ next_items_page: { cursor: null, items: [found('2')] } }),
    ]);
    const items = await client.findItemsByColumnValues(
      '9609317401',
      [{ column_id: 'text_mkr5wya6', column_values: ['SO-1'] }],
      { pageSize: 1, columnIds: ['text_mkr5wya6'] },
    );
    expect(items.map((i) => i.id)).toEqual(['1', '2']);
    expect(requests[0]!.body.operationName).toBe('ItemsByColumnValues');
    expect(requests[0]!.body.variables).toEqual({
      boardId: '9609317401',
      columns: [{ column_id: 'text_mkr5wya6', column_values: ['SO-1'] }],
      limit: 1,
      withSubitems: false,
      columnIds: ['text_mkr5wya6'],
    });
    expect(requests[1]!.body.variables).toMatchObject({ cursor: 'c1', limit: 1 });
  });

  it('asks for items by id in chunks of 100 with a matching limit', async () => {
    const { client, requests } = await setup([ok({ items: [] }), ok({ items: [] }), ok({ items: [] })]);
    await client.itemsByIds(Array.from({ length: 250 }, (_, i) => String(9_000_000_000 + i)));
    expect(requests.map((r) => [(r.body.variables.ids as string[]).length, r.body.variables.limit])).toEqual([
      [100, 100],
      [100, 100],
      [50, 50],
    ]);
  });

  it('throws monday errors from reads and names a missing board', async () => {
    const { client } = await setup([
      { body: { data: { me: null }, errors: [{ message: 'User unauthorized', path: ['me'], extensions: { code: 'USER_UNAUTHORIZED', status_code: 403 } }] } },
      ok({ boards: [] }),
    ]);
    await expect(client.me()).rejects.toMatchObject({ code: 'USER_UNAUTHORIZED', statusCode: 403 });
    await expect(client.boardSchema('123')).rejects.toThrow(/board 123 does not exist/);
  });

  it('retries a read whose only errors are retryable (field limit on subitems)', async () => {
    const { client, requests } = await setup([
      {
        body: {
          data: { complexity: null, items: null },
          errors: [{ message: 'Concurrency limit exceeded for the field', path: ['items'], extensions: { code: 'FIELD_LIMIT_EXCEEDED', retry_in_seconds: 2 } }],
        },
      },
      ok({ items: [] }),
    ]);
    await expect(client.itemsByIds(['1'], { withSubitems: true })).resolves.toEqual([]);
    expect(requests).toHaveLength(2);
    expect(requests[0]!.body.variables.withSubitems).toBe(true);
  });
});
