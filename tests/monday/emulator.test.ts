import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { customerMasterScheduleSeed, startEmulator } from '../../src/emulator/index.js';
import {
  DailyLimitError,
  MondayClient,
  fetchBoardSnapshot,
  formatColumnValues,
  missingLabels,
  splitBatches,
  subitemsBoardId,
  type BoardSnapshot,
  type ExchangeRecord,
  type ItemRef,
  type MutationOp,
} from '../../src/monday/index.js';
import { fakeTime } from './support/fake-time.js';

const ITEMS_BOARD = '9000000001';
const KEY = 'text_mkr5wya6';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
let emulator: Emulator;
let exchanges: ExchangeRecord[];

/**
 * The client's waits move the emulator's clock instead of the wall clock: the emulator's budget
 * windows and the client's pacer then see the same (virtual) minute pass, and the test is fast.
 */
function client(extra: Partial<ConstructorParameters<typeof MondayClient>[0]> = {}, emu: Emulator = emulator) {
  const time = fakeTime();
  return new MondayClient({
    apiUrl: emu.url,
    apiVersion: '2026-10',
    token: emu.token,
    timeoutMs: 5_000,
    maxRetries: 3,
    now: time.now,
    sleep: async (ms) => {
      emu.advanceTime(ms);
      await time.sleep(ms);
    },
    onExchange: (r) => exchanges.push(r),
    ...extra,
  });
}

beforeAll(async () => {
  emulator = await startEmulator({ seed: customerMasterScheduleSeed() });
});
afterAll(async () => {
  await emulator?.close();
});
beforeEach(() => {
  exchanges = [];
  emulator.faults.clear();
});

const itemOp = (snapshot: BoardSnapshot, order: string, extra: Record<string, unknown> = {}): MutationOp => {
  const row = formatColumnValues(snapshot, { [KEY]: order, numeric_mkr5cact: '12.3400', dropdown_mkr518fc: 'received', date_mkr57811: '2026-03-01 00:00:00', ...extra });
  if (!row.ok) throw new Error(row.errors.map((e) => e.message).join('; '));
  return { kind: 'create_item', board_id: ITEMS_BOARD, group_id: 'topics', item_name: order, column_values: row.values };
};

describe('MondayClient against the emulator', () => {
  it('snapshots the seeded board, creates items and subitems, finds them by key and reads them back', async () => {
    const c = client();
    const snap = await fetchBoardSnapshot(c, ITEMS_BOARD);
    expect(snap.columns.find((col) => col.id === KEY)?.type).toBe('text');
    const subBoard = subitemsBoardId(snap)!;
    const subSnap = await fetchBoardSnapshot(c, subBoard);

    const [group] = await c.mutate([{ kind: 'create_group', board_id: ITEMS_BOARD, group_name: 'NORTHWIND FW25' }], { idempotencyKey: 'g1' });
    expect(group!.ok).toBe(true);
    const groupId = group!.ok ? group!.data.id : '';

    const ops = ['E2E-1', 'E2E-2', 'E2E-3'].map((o) => ({ ...itemOp(snap, o), group_id: groupId }) as MutationOp);
    const created = await c.mutate(ops, { idempotencyKey: 'items-1' });
    expect(created.every((r) => r.ok)).toBe(true);
    const ids = created.map((r) => (r.ok ? r.data.id : ''));

    const sizes = formatColumnValues(subSnap, { dropdown_mkrak7qp: 'M', numeric_mkra7j8e: 12 });
    expect(sizes.ok).toBe(true);
    const subs = await c.mutate(
      [{ kind: 'create_subitem', parent_item_id: ids[0]!, item_name: 'M', column_values: sizes.ok ? sizes.values : {} }],
      { idempotencyKey: 'subs-1' },
    );
    expect(subs[0]!.ok && (subs[0]!.data as ItemRef).board?.id).toBe(subBoard);

    const found = await c.findItemsByColumnValues(ITEMS_BOARD, [{ column_id: KEY, column_values: ['e2e-2'] }], { columnIds: [KEY] });
    expect(found.map((i) => i.id)).toEqual([ids[1]]);
    expect(found[0]!.column_values).toEqual([expect.objectContaining({ id: KEY, text: 'E2E-2' })]);

    const [read] = await c.itemsByIds([ids[0]!], { withSubitems: true, columnIds: ['numeric_mkr5cact', 'dropdown_mkr518fc', 'date_mkr57811'] });
    expect(read!.group).toEqual({ id: groupId, title: 'NORTHWIND FW25' });
    const byCol = Object.fromEntries(read!.column_values.map((v) => [v.id, v]));
    expect(Number(byCol.numeric_mkr5cact!.text)).toBe(12.34);
    expect(byCol.dropdown_mkr518fc!.text).toBe('RECEIVED');
    expect(JSON.parse(byCol.date_mkr57811!.value!)).toMatchObject({ date: '2026-03-01' });
    expect(read!.subitems!.map((s) => s.name)).toEqual(['M']);

    const updates = await c.mutate(
      [
        { kind: 'change_multiple_column_values', board_id: ITEMS_BOARD, item_id: ids[0]!, column_values: { numeric_mkr5cact: null } },
        { kind: 'move_item_to_group', item_id: ids[1]!, group_id: 'group_mkr5cncl' },
        { kind: 'archive_item', item_id: ids[2]! },
      ],
      { idempotencyKey: 'upd-1' },
    );
    expect(updates.map((r) => r.ok)).toEqual([true, true, true]);
    const after = await c.itemsByIds(ids);
    expect(after.find((i) => i.id === ids[1])!.group!.id).toBe('group_mkr5cncl');
    expect(after.find((i) => i.id === ids[2])!.state).toBe('archived');

    const pages: number[] = [];
    for await (const page of c.boardItemPages(ITEMS_BOARD, { pageSize: 1, columnIds: [KEY] })) pages.push(page.length);
    expect(pages.reduce((a, b) => a + b, 0)).toBe(2); // archived items are not in items_page
    expect(c.stats.complexityUsed).toBeGreaterThan(0);
    expect(c.stats.errorsByCode).toEqual({});
    expect(JSON.stringify(exchanges)).not.toContain(emulator.token);
  });

  it('keeps the successes of a batch with one bad alias and reports monday error data for the other', async () => {
    const c = client();
    const snap = await fetchBoardSnapshot(c, ITEMS_BOARD);
    const bad: MutationOp = { kind: 'create_item', board_id: ITEMS_BOARD, item_name: 'BAD-1', column_values: { text_nope: 'x' } };
    const results = await c.mutate([itemOp(snap, 'PART-1'), bad, itemOp(snap, 'PART-3')], { idempotencyKey: 'partial-1' });
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    const failed = results[1]!;
    if (!failed.ok) {
      expect(failed.error.code).toBe('InvalidColumnIdException');
      expect(failed.error.retryable).toBe(false);
    }
  });

  it('labels the board lacks: listed up front, and refused by monday without create_labels_if_missing', async () => {
    const c = client();
    const snap = await fetchBoardSnapshot(c, ITEMS_BOARD);
    const op = itemOp(snap, 'LBL-1', { dropdown_mkr518fc: 'SAMPLE' });
    expect(missingLabels(snap, (op as { column_values: Record<string, unknown> }).column_values)).toEqual([
      { columnId: 'dropdown_mkr518fc', title: 'ORDER TYPE', type: 'dropdown', label: 'SAMPLE' },
    ]);
    const [refused] = await c.mutate([op], { idempotencyKey: 'lbl-1' });
    expect(!refused!.ok && refused!.error.code).toBe('ColumnValueException');
    const [created] = await c.mutate([{ ...op, create_labels_if_missing: true } as MutationOp], { idempotencyKey: 'lbl-2' });
    expect(created!.ok).toBe(true);
  });

  it('survives 429s, 5xx, and a connection dropped after commit without creating a duplicate', async () => {
    const c = client();
    const snap = await fetchBoardSnapshot(c, ITEMS_BOARD);
    emulator.faults.next(1, '429', { mutationsOnly: true, retryInSeconds: 1 });
    emulator.faults.next(1, '502', { mutationsOnly: true });
    emulator.faults.next(1, 'drop_after_commit', { mutationsOnly: true });
    const [result] = await c.mutate([itemOp(snap, 'FAULT-1')], { idempotencyKey: 'fault-1' });
    expect(result!.ok).toBe(true);
    const found = await c.findItemsByColumnValues(ITEMS_BOARD, [{ column_id: KEY, column_values: ['FAULT-1'] }]);
    expect(found).toHaveLength(1);
    expect(c.stats.retries).toBe(3);
    expect(c.stats.http429).toBe(1);
    expect(new Set(exchanges.filter((e) => e.kind === 'mutation').map((e) => e.idempotencyKey))).toEqual(new Set(['fault-1']));
  });

  it('a budget refusal inside an HTTP 200 answer is resent under a derived key, so it runs instead of replaying', async () => {
    const c = client();
    const snap = await fetchBoardSnapshot(c, ITEMS_BOARD);
    emulator.faults.next(1, 'alias_error', { aliasIndex: 0 });
    const [result] = await c.mutate([itemOp(snap, 'RB-1')], { idempotencyKey: 'rb-1' });
    expect(result!.ok).toBe(true);
    const keys = exchanges.filter((e) => e.kind === 'mutation').map((e) => e.idempotencyKey);
    expect(keys).toEqual(['rb-1', 'rb-1~1']);
    expect(c.stats.idempotentReplays).toBe(0);
    expect(await c.findItemsByColumnValues(ITEMS_BOARD, [{ column_id: KEY, column_values: ['RB-1'] }])).toHaveLength(1);
  });

  it('a resource-protection error on one alias fails only that op, retryable, and the batch is not resent', async () => {
    const c = client();
    const snap = await fetchBoardSnapshot(c, ITEMS_BOARD);
    emulator.faults.next(1, 'alias_error', { aliasIndex: 1 });
    const results = await c.mutate([itemOp(snap, 'AE-1'), itemOp(snap, 'AE-2'), itemOp(snap, 'AE-3')], { idempotencyKey: 'ae-1' });
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['ok', 'tooManyRequests', 'ok']);
    expect(!results[1]!.ok && results[1]!.error.retryable).toBe(true);
    expect(c.stats.mutationRequests).toBe(1);
    expect(exchanges.filter((e) => e.kind === 'mutation')).toHaveLength(1);
  });

  it('a timed-out request, then conflicts while it still runs, end in exactly one item', async () => {
    // Real time here: the resend must really wait (Retry-After) while the stalled request finishes.
    const c = client({ timeoutMs: 300, now: Date.now, sleep: undefined });
    const snap = await fetchBoardSnapshot(c, ITEMS_BOARD);
    emulator.faults.next(1, 'slow', { mutationsOnly: true, delayMs: 800 });
    emulator.faults.next(1, 'idempotency_conflict', { mutationsOnly: true });
    const [result] = await c.mutate([itemOp(snap, 'SLOW-1')], { idempotencyKey: 'slow-1' });
    expect(result!.ok).toBe(true);
    const found = await c.findItemsByColumnValues(ITEMS_BOARD, [{ column_id: KEY, column_values: ['SLOW-1'] }]);
    expect(found).toHaveLength(1);
    expect(c.stats.errorsByCode.TIMEOUT).toBe(1);
    expect(c.stats.errorsByCode.IDEMPOTENCY_CONFLICT).toBeGreaterThanOrEqual(1);
    expect(new Set(exchanges.filter((e) => e.kind === 'mutation').map((e) => e.idempotencyKey))).toEqual(new Set(['slow-1']));
  });

  it('stops on the daily limit with DailyLimitError', async () => {
    const c = client();
    emulator.faults.next(1, '429', { code: 'DAILY_LIMIT_EXCEEDED', retryInSeconds: 3599 });
    await expect(c.me()).rejects.toBeInstanceOf(DailyLimitError);
  });

  it('batches of the configured size each validate and run', async () => {
    const c = client({ batchSize: 5 });
    const snap = await fetchBoardSnapshot(c, ITEMS_BOARD);
    const ops = Array.from({ length: 12 }, (_, i) => itemOp(snap, `BULK-${i}`));
    const results = [];
    for (const [i, batch] of splitBatches(ops, c.batchSize).entries()) results.push(...(await c.mutate(batch, { idempotencyKey: `bulk-${i}` })));
    expect(results.filter((r) => r.ok)).toHaveLength(12);
    expect(c.stats.mutationRequests).toBe(3);
  });

  it('paces itself from the complexity monday reports: a small budget is waited out, never hit', async () => {
    const small = await startEmulator({ seed: customerMasterScheduleSeed(), limits: { complexityPerMinute: 400_000 } });
    try {
      const c = client({ batchSize: 5 }, small);
      const snap = await fetchBoardSnapshot(c, ITEMS_BOARD);
      const ops = Array.from({ length: 20 }, (_, i) => itemOp(snap, `PACE-${i}`));
      const results = [];
      for (const [i, batch] of splitBatches(ops, 5).entries()) results.push(...(await c.mutate(batch, { idempotencyKey: `pace-${i}` })));
      expect(results.every((r) => r.ok)).toBe(true);
      expect(c.stats.http429).toBe(0);
      expect(c.stats.rateLimitWaits).toBeGreaterThan(0);
      expect(c.stats.complexityUsed).toBeGreaterThan(600_000);
      expect(c.stats.complexityUsed).toBe(small.stats().complexityUsed);
    } finally {
      await small.close();
    }
  });
});
