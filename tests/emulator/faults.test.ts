import { describe, expect, it } from 'vitest';
import { admin, CREATE_ITEM, emulator, ITEMS_BOARD } from './harness.js';

const create = (name: string) => ({ board: ITEMS_BOARD, name, values: '{}' });
const count = (emu: { store: { boards: Map<string, { items: Map<string, unknown> }> } }) => emu.store.boards.get(ITEMS_BOARD)!.items.size;

describe('idempotency', () => {
  it('replays a mutation with the same Idempotency-Key without running it again', async () => {
    const emu = await emulator();
    const first = await emu.gql(CREATE_ITEM, create('SO-1'), { 'Idempotency-Key': 'run1:SO-1' });
    const again = await emu.gql(CREATE_ITEM, create('SO-1'), { 'Idempotency-Key': 'run1:SO-1' });
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(count(emu)).toBe(1);
    expect(emu.stats().idempotentReplays).toBe(1);
  });

  it('forgets keys after 30 minutes and ignores them on queries', async () => {
    const emu = await emulator();
    await emu.gql(CREATE_ITEM, create('SO-1'), { 'Idempotency-Key': 'k' });
    emu.advanceTime(31 * 60_000);
    await emu.gql(CREATE_ITEM, create('SO-1'), { 'Idempotency-Key': 'k' });
    expect(count(emu)).toBe(2);
    await emu.gql('{ me { id } }', {}, { 'Idempotency-Key': 'q' });
    const q = await emu.gql('{ me { id } }', {}, { 'Idempotency-Key': 'q' });
    expect(q.headers.get('idempotency-replayed')).toBeNull();
  });

  it('answers a duplicate still in flight with 409 IDEMPOTENCY_CONFLICT', async () => {
    const emu = await emulator();
    emu.faults.next(1, 'slow', { delayMs: 300 });
    const slow = emu.gql(CREATE_ITEM, create('SO-1'), { 'Idempotency-Key': 'dup' });
    await new Promise((r) => setTimeout(r, 100));
    const dup = await emu.gql(CREATE_ITEM, create('SO-1'), { 'Idempotency-Key': 'dup' });
    expect(dup.status).toBe(409);
    expect(dup.body.errors[0].extensions.code).toBe('IDEMPOTENCY_CONFLICT');
    expect(dup.headers.get('retry-after')).toBe('1');
    expect((await slow).status).toBe(200);
    expect(count(emu)).toBe(1);
  });
});

describe('fault injection', () => {
  it('drop_after_commit: the write happens, the client gets no answer, a retry with the key replays', async () => {
    const emu = await emulator();
    emu.faults.next(1, 'drop_after_commit');
    await expect(emu.gql(CREATE_ITEM, create('SO-1'), { 'Idempotency-Key': 'drop' })).rejects.toThrow();
    expect(count(emu)).toBe(1);
    const retry = await emu.gql(CREATE_ITEM, create('SO-1'), { 'Idempotency-Key': 'drop' });
    expect(retry.headers.get('idempotency-replayed')).toBe('true');
    expect(retry.body.data.create_item.id).toBe([...emu.store.boards.get(ITEMS_BOARD)!.items.keys()][0]);
    expect(count(emu)).toBe(1);
  });

  it('drop_before_commit: no answer and no write', async () => {
    const emu = await emulator();
    emu.faults.next(1, 'drop_before_commit');
    await expect(emu.gql(CREATE_ITEM, create('SO-1'))).rejects.toThrow();
    expect(count(emu)).toBe(0);
  });

  it('429, 500, 502 and 503 answer as monday and its gateways do, without writing', async () => {
    const emu = await emulator();
    emu.faults.next(1, '429', { retryInSeconds: 7 });
    emu.faults.next(1, '500');
    emu.faults.next(1, '502');
    emu.faults.next(1, '503');
    const r429 = await emu.gql(CREATE_ITEM, create('a'));
    expect(r429.status).toBe(429);
    expect(r429.headers.get('retry-after')).toBe('7');
    expect(r429.body.errors[0].extensions).toMatchObject({ code: 'MINUTE_RATE_LIMIT_EXCEEDED', retry_in_seconds: 7 });
    const r500 = await emu.gql(CREATE_ITEM, create('a'));
    expect(r500.status).toBe(500);
    expect(r500.body.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    const r502 = await emu.gql(CREATE_ITEM, create('a'));
    expect(r502.status).toBe(502);
    expect(r502.headers.get('content-type')).toBe('text/html');
    expect((await emu.gql(CREATE_ITEM, create('a'))).status).toBe(503);
    expect(count(emu)).toBe(0);
    expect((await emu.gql(CREATE_ITEM, create('a'))).status).toBe(200);
    expect(emu.stats().faultsInjected).toBe(4);
  });

  it('alias_error fails one alias of the next mutation request with a realistic error', async () => {
    const emu = await emulator();
    emu.faults.next(1, 'alias_error', { aliasIndex: 1 });
    await emu.gql('{ me { id } }');
    const r = await emu.gql(`mutation { a: create_item(board_id: ${ITEMS_BOARD}, item_name: "a") { id } b: create_item(board_id: ${ITEMS_BOARD}, item_name: "b") { id } c: create_item(board_id: ${ITEMS_BOARD}, item_name: "c") { id } }`);
    expect(r.body.data.b).toBeNull();
    expect(r.body.data.c.id).toBeTypeOf('string');
    expect(r.body.errors).toEqual([expect.objectContaining({ path: ['b'], extensions: expect.objectContaining({ code: 'tooManyRequests' }) })]);
    expect(count(emu)).toBe(2);
  });

  it('mutationsOnly leaves queries alone; idempotency_conflict answers 409', async () => {
    const emu = await emulator();
    emu.faults.next(1, 'idempotency_conflict', { mutationsOnly: true });
    expect((await emu.gql('{ me { id } }')).status).toBe(200);
    const r = await emu.gql(CREATE_ITEM, create('a'), { 'Idempotency-Key': 'x' });
    expect(r.status).toBe(409);
    expect(r.body.errors[0].extensions.code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('share() fails a seeded, repeatable fraction of requests', async () => {
    const outcomes: number[][] = [];
    for (let run = 0; run < 2; run++) {
      const emu = await emulator();
      emu.faults.share(0.5, '500', 42);
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await emu.gql('{ me { id } }')).status);
      outcomes.push(statuses);
      await emu.close();
    }
    expect(outcomes[0]).toEqual(outcomes[1]);
    const failed = outcomes[0]!.filter((s) => s === 500).length;
    expect(failed).toBeGreaterThan(3);
    expect(failed).toBeLessThan(17);
  });

  it('is scripted over the admin route too', async () => {
    const emu = await emulator();
    const res = await admin(emu, 'POST', '/faults', { kind: '503', count: 2, mutationsOnly: true });
    expect(((await res.json()) as any).rules).toEqual([{ kind: '503', options: { mutationsOnly: true }, remaining: 2 }]);
    expect((await emu.gql(CREATE_ITEM, create('a'))).status).toBe(503);
    await admin(emu, 'DELETE', '/faults');
    expect((await emu.gql(CREATE_ITEM, create('a'))).status).toBe(200);
    expect((await admin(emu, 'POST', '/faults', { kind: 'nope' })).status).toBe(400);
  });
});
