import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobResult } from '../../src/jobs/run.js';
import { generateStaging, type StagingRow } from '../../src/sampledata/index.js';
import { assertBoardMatches, expectedBoard, readBoard, type ExpectedBoard } from '../support/board.js';
import { ENGINES } from '../support/engines.js';
import { createSyncEnv, ITEMS_BOARD, type SyncEnv } from '../support/sync-env.js';

/**
 * The whole job (merge + sync) against the emulator over HTTP, on each engine: after every
 * kind of upstream change the board read back equals the projection of staging computed
 * by the test itself (tests/support/board.ts), with no duplicate item, subitem or group.
 */

const KEY = 'AAG ORDER NUMBER';
const ORDER_TYPE_COL = 'dropdown_mkr518fc';
const CUSTOMER_SEASON_COL = 'dropdown_mkr5rgs6';
const STATUS_COL = 'color_mkr5j5pp';
const NEW_SEASON = 'ZZ99';

const SIZE_NAMES = new Set(
  generateStaging({ seed: 1, orders: 0 })
    .columns.filter((c) => c.role === 'size')
    .map((c) => c.name),
);

function sizesOf(row: StagingRow): string[] {
  return [...SIZE_NAMES].filter((s) => typeof row[s] === 'number' && (row[s] as number) > 0);
}

function retotal(row: StagingRow): void {
  row['TOTAL QTY'] = sizesOf(row).reduce((n, s) => n + (row[s] as number), 0);
}

describe.each(ENGINES.filter((e) => e !== 'pglite'))('sync end to end on %s', (engine) => {
  let env: SyncEnv;
  let rows: StagingRow[];
  let board: ExpectedBoard = new Map();
  /** Keys of active, non-duplicated orders on the board with at least two sizes, in a fixed order. */
  let picks: string[];
  const pick = (i: number) => picks[i] as string;

  beforeAll(async () => {
    env = await createSyncEnv({ engine });
    const data = generateStaging({
      seed: 11,
      orders: 40,
      customers: 3,
      mess: { duplicateShare: 0.08, cancelledShare: 0.08, emptyKeyShare: 0.03, blankRowShare: 0.03 },
    });
    rows = [...data.rows];
  });
  afterAll(async () => {
    await env?.close();
  });

  /** Applies `change` to a copy of staging, runs the job, and checks the board against the projection. */
  async function step(
    change: (rows: StagingRow[]) => void,
    opts: { label: string; keep?: string[] | (() => Promise<string[]>); rowsFail?: boolean },
  ): Promise<JobResult> {
    const next = rows.map((r) => ({ ...r }));
    change(next);
    rows = next;
    await env.load(rows);
    const result = await env.run();
    // A run where rows fail on purpose may be judged FAILED by the success-rate thresholds.
    if (!opts.rowsFail) expect(result.status, `${opts.label}: ${result.verdict.summary}`).toBe('OK');
    const keep = typeof opts.keep === 'function' ? await opts.keep() : opts.keep;
    const want = expectedBoard(rows, env.cfg.settings, { previous: board, keep });
    assertBoardMatches(await readBoard(env.emulator, ITEMS_BOARD), want, `${engine} after ${opts.label}`);
    board = want;
    return result;
  }

  const rowOf = (list: StagingRow[], key: string): StagingRow => {
    const found = list.filter((r) => r[KEY] === key);
    if (found.length !== 1) throw new Error(`expected one staging row for ${key}, found ${found.length}`);
    return found[0] as StagingRow;
  };

  async function orderRow(key: string) {
    return env.db.kysely.selectFrom('orders').selectAll().where('order_key', '=', key).executeTakeFirstOrThrow();
  }

  async function statesByKey(): Promise<Map<string, string>> {
    const all = await env.db.kysely.selectFrom('orders').select(['order_key', 'sync_state']).execute();
    return new Map(all.map((r) => [r.order_key, r.sync_state]));
  }

  async function rerunSendsNothing(label: string): Promise<void> {
    const again = await env.run();
    expect(again.sync?.stats.mutations, `${label}: a re-run with nothing changed`).toBe(0);
    expect(again.merge?.counts.rows_written, `${label}: re-merge writes nothing`).toBe(0);
  }

  it('initial load: one item per valid key, duplicates and never-synced cancellations left out', async () => {
    const result = await step(() => undefined, { label: 'initial load' });
    const notes = expectedBoard(rows, env.cfg.settings).notes;
    expect(notes.duplicates.length, 'the data set has duplicate keys').toBeGreaterThan(0);
    expect(notes.skippedCancelled.length, 'the data set has cancelled orders').toBeGreaterThan(0);
    expect(result.sync?.counts.items_created).toBe(board.size);
    expect(result.sync?.counts.subitems_created).toBe([...board.values()].reduce((n, i) => n + Object.keys(i.subitems).length, 0));

    const states = await statesByKey();
    for (const key of board.keys()) expect(states.get(key), key).toBe('SYNCED');
    for (const key of notes.skippedCancelled) expect(states.get(key), key).toBe('SKIPPED');
    const lines = await env.db.kysely.selectFrom('order_lines').select(['sync_state', 'monday_subitem_id']).execute();
    for (const l of lines.filter((x) => x.sync_state === 'SYNCED')) expect(l.monday_subitem_id).not.toBeNull();

    // One group per customer + season on the board, each created once.
    const view = await readBoard(env.emulator, ITEMS_BOARD);
    expect(view.duplicateGroups).toEqual([]);
    expect(result.sync?.counts.groups_created).toBe(new Set([...board.values()].map((i) => i.group)).size);

    const active = [...board.values()].filter((i) => !i.cancelled && Object.keys(i.subitems).length >= 2 && !notes.duplicates.includes(i.key));
    picks = active.map((i) => i.key);
    expect(picks.length).toBeGreaterThanOrEqual(10);
  });

  it('a re-run with nothing changed sends no mutation', async () => {
    await rerunSendsNothing('after the initial load');
  });

  it('quantity change updates that subitem only', async () => {
    const key = pick(0);
    let size = '';
    const result = await step(
      (list) => {
        const row = rowOf(list, key);
        size = sizesOf(row)[0] as string;
        row[size] = (row[size] as number) + 7;
        retotal(row);
      },
      { label: 'quantity change' },
    );
    expect(board.get(key)?.subitems[size]).toBe(rowOf(rows, key)[size]);
    expect(result.sync?.counts.subitems_updated).toBe(1);
    expect(result.sync?.counts.subitems_created).toBe(0);
  });

  it('size added and size removed: new subitem, removed size at qty 0', async () => {
    const key = pick(1);
    let removed = '';
    let added = '';
    const result = await step(
      (list) => {
        const row = rowOf(list, key);
        const present = sizesOf(row);
        removed = present[0] as string;
        added = ['ONE SIZE', 'XXS', '4XL'].find((s) => !present.includes(s)) as string;
        row[removed] = null;
        row[added] = 13;
        retotal(row);
      },
      { label: 'size added and removed' },
    );
    expect(board.get(key)?.subitems[removed]).toBe(0);
    expect(board.get(key)?.subitems[added]).toBe(13);
    expect(result.sync?.counts.subitems_created).toBe(1);
    expect(result.sync?.counts.subitems_zeroed).toBe(1);

    // The removed size comes back: the same subitem gets its quantity again.
    const subitemId = (await readBoard(env.emulator, ITEMS_BOARD)).items.get(key)?.subitems[removed]?.id;
    const back = await step((list) => {
      const row = rowOf(list, key);
      row[removed] = 5;
      retotal(row);
    }, { label: 'size re-added' });
    expect(board.get(key)?.subitems[removed]).toBe(5);
    expect(back.sync?.counts.subitems_created).toBe(0);
    expect((await readBoard(env.emulator, ITEMS_BOARD)).items.get(key)?.subitems[removed]?.id).toBe(subitemId);
  });

  it('header field change (EX FACTORY DATE, PO NUMBER) updates the item in place', async () => {
    const key = pick(2);
    const before = (await readBoard(env.emulator, ITEMS_BOARD)).items.get(key);
    const result = await step(
      (list) => {
        const row = rowOf(list, key);
        row['EX FACTORY DATE'] = '2027-01-15';
        row['PO NUMBER'] = 'PO-77001';
        row['CUSTOMER STYLE'] = 'RESTYLED-1';
      },
      { label: 'header change' },
    );
    const after = (await readBoard(env.emulator, ITEMS_BOARD)).items.get(key);
    expect(after?.id).toBe(before?.id);
    expect(after?.columns.date_mkr57811).toBe('2027-01-15');
    expect(after?.columns.text_mkr5ej2x).toBe('PO-77001');
    expect(after?.name.startsWith('RESTYLED-1 ')).toBe(true);
    expect(result.sync?.counts.items_updated).toBe(1);
    expect(result.sync?.counts.items_created).toBe(0);
  });

  it('cancellation: quantities 0, order type and status label show it, the item stays', async () => {
    const key = pick(3);
    const result = await step((list) => void (rowOf(list, key)['ORDER TYPE'] = 'Cancelled'), { label: 'cancellation' });
    expect(result.sync?.counts.items_cancelled).toBe(1);
    const item = (await readBoard(env.emulator, ITEMS_BOARD)).items.get(key);
    expect(item?.columns[ORDER_TYPE_COL]).toBe('CANCELLED');
    expect(item?.columns[STATUS_COL]).toBe('CANCELLED');
    const subs = Object.values(item?.subitems ?? {});
    expect(subs.length).toBeGreaterThanOrEqual(2);
    for (const s of subs) expect(s.qty).toBe(0);
  });

  it('a quantity change while cancelled keeps every quantity at 0', async () => {
    const key = pick(3);
    await step((list) => {
      const row = rowOf(list, key);
      const size = sizesOf(row)[0] as string;
      row[size] = (row[size] as number) + 11;
      retotal(row);
    }, { label: 'quantity change while cancelled' });
    for (const s of Object.values((await readBoard(env.emulator, ITEMS_BOARD)).items.get(key)?.subitems ?? {})) expect(s.qty).toBe(0);
  });

  it('reactivation: quantities come back, the status label is cleared', async () => {
    const key = pick(3);
    await step((list) => void (rowOf(list, key)['ORDER TYPE'] = 'RECEIVED'), { label: 'reactivation' });
    const item = (await readBoard(env.emulator, ITEMS_BOARD)).items.get(key);
    expect(item?.columns[STATUS_COL]).toBe('');
    const row = rowOf(rows, key);
    for (const size of sizesOf(row)) expect(item?.subitems[size]?.qty).toBe(row[size]);
  });

  it('a new customer season makes exactly one new group, found by title (not duplicated) when the cache is empty', async () => {
    // Two orders of one customer move to a season no group exists for yet.
    const byCustomer = new Map<string, string[]>();
    for (const key of picks.slice(4)) {
      const c = String(rowOf(rows, key)['CUSTOMER NAME']);
      byCustomer.set(c, [...(byCustomer.get(c) ?? []), key]);
    }
    const [customer, keys] = [...byCustomer].find(([, k]) => k.length >= 2) as [string, string[]];
    const [first, second] = keys as [string, string];
    const title = `${customer} ${NEW_SEASON}`;
    const groupsBefore = (await readBoard(env.emulator, ITEMS_BOARD)).groups.length;

    const one = await step((list) => void (rowOf(list, first)['CUSTOMER SEASON'] = NEW_SEASON), { label: 'new season' });
    expect(one.sync?.counts.groups_created).toBe(1);
    let view = await readBoard(env.emulator, ITEMS_BOARD);
    expect(view.groups.length).toBe(groupsBefore + 1);
    expect(view.groups.filter((g) => g.title === title)).toHaveLength(1);
    expect(view.items.get(first)?.group).toBe(title);
    // Creation is allowed on the customer-season column: the label now exists.
    expect(view.labels[CUSTOMER_SEASON_COL]).toContain(NEW_SEASON);

    // The cache forgets every group; the group is on the board, so it is found, not created again.
    await env.db.kysely.deleteFrom('monday_groups').execute();
    const two = await step((list) => void (rowOf(list, second)['CUSTOMER SEASON'] = NEW_SEASON), { label: 'same new season, empty cache' });
    expect(two.sync?.counts.groups_created).toBe(0);
    expect(two.sync?.counts.groups_found).toBeGreaterThanOrEqual(1);
    view = await readBoard(env.emulator, ITEMS_BOARD);
    expect(view.groups.length).toBe(groupsBefore + 1);
    expect(view.duplicateGroups).toEqual([]);
    expect(view.items.get(second)?.group).toBe(title);
    expect(view.items.get(second)?.groupId).toBe(view.items.get(first)?.groupId);
  });

  it('an unknown label where creation is refused fails that row only (MissingLabel, naming column and label)', async () => {
    const bad = pick(5);
    const fine = pick(6);
    const originalType = rowOf(rows, bad)['ORDER TYPE'] ?? null;
    let size = '';
    const result = await step(
      (list) => {
        rowOf(list, bad)['ORDER TYPE'] = 'SAMPLE';
        const row = rowOf(list, fine);
        size = sizesOf(row)[0] as string;
        row[size] = (row[size] as number) + 3;
        retotal(row);
      },
      { label: 'refused label', keep: [bad], rowsFail: true },
    );
    expect(result.sync?.counts.items_failed).toBe(1);
    const o = await orderRow(bad);
    expect(o.sync_state).toBe('ERROR');
    expect(o.last_error_code).toBe('MissingLabel');
    expect(o.last_error).toContain('SAMPLE');
    expect(o.last_error).toMatch(/ORDER TYPE|dropdown_mkr518fc/);
    expect(o.last_error_column).toBe(ORDER_TYPE_COL);
    expect(o.last_error_value).toContain('SAMPLE');
    const event = await env.db.kysely
      .selectFrom('sync_events')
      .selectAll()
      .where('run_id', '=', result.runId)
      .where('order_key', '=', bad)
      .executeTakeFirstOrThrow();
    expect(event.outcome).toBe('ERROR');
    expect(event.error_code).toBe('MissingLabel');
    expect(event.column_id).toBe(ORDER_TYPE_COL);
    expect(event.value).toContain('SAMPLE');
    expect((await orderRow(fine)).sync_state).toBe('SYNCED');
    expect((await readBoard(env.emulator, ITEMS_BOARD)).labels[ORDER_TYPE_COL]).not.toContain('SAMPLE');

    // Upstream fixes the value: the row syncs again on the next run.
    await step((list) => void (rowOf(list, bad)['ORDER TYPE'] = originalType), { label: 'label fixed' });
    expect((await orderRow(bad)).sync_state).toBe('SYNCED');
  });

  it('one failed alias in a batch: the others keep their ids and are SYNCED; the failed one is created next run, once', async () => {
    const sources = picks.slice(7, 12);
    const added = sources.map((k, i) => `${k}-N${i + 1}`);
    env.emulator.faults.clear();
    env.emulator.faults.next(1, 'alias_error', { aliasIndex: 2 });
    const notCreated = async () =>
      (await env.db.kysely.selectFrom('orders').select('order_key').where('order_key', 'in', added).where('monday_item_id', 'is', null).execute()).map((r) => r.order_key);
    await step(
      (list) => {
        for (const [i, k] of sources.entries()) list.push({ ...rowOf(list, k), [KEY]: added[i] as string, record_uuid: `uuid-new-${i}` });
      },
      // The order whose alias failed is not on the board yet (keep, with no previous item, leaves it out).
      { label: 'alias error', keep: notCreated, rowsFail: true },
    );
    expect(env.emulator.faults.injected).toBeGreaterThanOrEqual(1);
    const created = await env.db.kysely.selectFrom('orders').selectAll().where('order_key', 'in', added).execute();
    const failed = created.filter((o) => o.monday_item_id === null);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.sync_state).toBe('PENDING');
    expect(failed[0]?.retry_count).toBe(1);
    for (const o of created.filter((x) => x.monday_item_id !== null)) expect(o.sync_state).toBe('SYNCED');

    // Next run, staging unchanged: the failed order is retried and created exactly once.
    const second = await step(() => undefined, { label: 'retry after alias error' });
    expect(second.sync?.counts.items_created).toBe(1);
    const after = await env.db.kysely.selectFrom('orders').selectAll().where('order_key', 'in', added).execute();
    for (const o of after) {
      expect(o.sync_state).toBe('SYNCED');
      expect(o.monday_item_id).not.toBeNull();
    }
    expect(new Set(after.map((o) => o.monday_item_id)).size).toBe(added.length);
  });

  it('a lost response (applied, connection dropped): no duplicate item, every order ends SYNCED', async () => {
    const sources = picks.slice(7, 10);
    const added = sources.map((k, i) => `${k}-L${i + 1}`);
    env.emulator.faults.clear();
    env.emulator.faults.next(1, 'drop_after_commit', { mutationsOnly: true });
    const injected = env.emulator.faults.injected;
    await step(
      (list) => {
        for (const [i, k] of sources.entries()) list.push({ ...rowOf(list, k), [KEY]: added[i] as string, record_uuid: `uuid-lost-${i}` });
      },
      { label: 'lost response' },
    );
    expect(env.emulator.faults.injected).toBe(injected + 1);
    // Whatever path recovered it (replay of the idempotent request, or reconcile), the next run settles everything.
    await step(() => undefined, { label: 'after the lost response' });
    const after = await env.db.kysely.selectFrom('orders').selectAll().where('order_key', 'in', added).execute();
    for (const o of after) expect(o.sync_state).toBe('SYNCED');
  });

  it('a row failing row_retry_limit times goes to ERROR and stays there until `retry`, which creates it once', async () => {
    const source = pick(0);
    const key = `${source}-R1`;
    const limit = env.cfg.settings.monday.row_retry_limit;
    env.emulator.faults.clear();
    rows = [...rows, { ...rowOf(rows, source), [KEY]: key, record_uuid: 'uuid-retry-1' }];
    for (let attempt = 1; attempt <= limit; attempt++) {
      // A companion order shares the request, so the failing alias is a partial failure:
      // the batch is not resent within the run, and the row's attempt counts once per run.
      rows = [...rows, { ...rowOf(rows, source), [KEY]: `${source}-C${attempt}`, record_uuid: `uuid-companion-${attempt}` }];
      await env.load(rows);
      env.emulator.faults.next(1, 'alias_error', { aliasIndex: 0, mutationsOnly: true });
      await env.run();
      const o = await orderRow(key);
      expect(o.retry_count).toBe(attempt);
      expect(o.sync_state).toBe(attempt < limit ? 'PENDING' : 'ERROR');
      expect(o.last_error_code).toBe('tooManyRequests');
    }
    // Parked: a plain run leaves it alone.
    const idle = await env.run();
    expect(idle.sync?.stats.mutations).toBe(0);
    expect((await orderRow(key)).sync_state).toBe('ERROR');

    const retried = await env.run({ command: 'retry' });
    expect(retried.sync?.counts.items_created).toBe(1);
    const o = await orderRow(key);
    expect(o.sync_state).toBe('SYNCED');
    expect(o.retry_count).toBe(0);
    const want = expectedBoard(rows, env.cfg.settings, { previous: board });
    assertBoardMatches(await readBoard(env.emulator, ITEMS_BOARD), want, `${engine} after retry`);
    board = want;
  });

  it('a cancelled order never synced before is created once it becomes active', async () => {
    const key = expectedBoard(rows, env.cfg.settings, { previous: board }).notes.skippedCancelled[0] as string;
    expect(key).toBeDefined();
    expect(board.has(key)).toBe(false);
    const result = await step((list) => void (rowOf(list, key)['ORDER TYPE'] = 'RECEIVED'), { label: 'never-synced cancellation reactivated' });
    expect(result.sync?.counts.items_created).toBe(1);
    expect(board.get(key)?.cancelled).toBe(false);
    expect((await orderRow(key)).sync_state).toBe('SYNCED');
  });

  it('blast radius: a run that would cancel too many orders stops before writing; --allow-mass-change lets it through', async () => {
    const onBoard = board.size;
    const victims = [...board.values()].filter((i) => !i.cancelled).map((i) => i.key).slice(0, Math.floor(onBoard * env.cfg.settings.cancel.max_share) + 1);
    rows = rows.map((r) => (victims.includes(String(r[KEY])) ? { ...r, 'ORDER TYPE': 'CANCELLED' } : r));
    await env.load(rows);
    const mutationsBefore = env.emulator.stats().mutations;
    await expect(env.run()).rejects.toThrow(/blast radius.*would cancel, archive or remove/);
    expect(env.emulator.stats().mutations, 'nothing was written').toBe(mutationsBefore);
    assertBoardMatches(await readBoard(env.emulator, ITEMS_BOARD), board, `${engine} after the refused mass cancellation`);
    const refused = await env.db.kysely.selectFrom('sync_runs').select(['status', 'error']).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(refused.status).toBe('FAILED');
    expect(refused.error).toMatch(/max_count \/ max_share/);

    const forced = await env.run({ allowMassChange: true });
    expect(forced.sync?.counts.items_cancelled).toBe(victims.length);
    const want = expectedBoard(rows, env.cfg.settings, { previous: board });
    assertBoardMatches(await readBoard(env.emulator, ITEMS_BOARD), want, `${engine} after the allowed mass cancellation`);
    board = want;

    // Back to active (reactivation is not destructive: no override needed).
    await step((list) => {
      for (const r of list) if (victims.includes(String(r[KEY]))) r['ORDER TYPE'] = 'RECEIVED';
    }, { label: 'mass reactivation' });
    for (const key of victims) expect(board.get(key)?.cancelled).toBe(false);
  });

  it('at the end: every order row SYNCED or SKIPPED, and a re-run sends nothing', async () => {
    const states = await statesByKey();
    for (const [key, state] of states) expect(['SYNCED', 'SKIPPED'], key).toContain(state);
    const lines = await env.db.kysely.selectFrom('order_lines').select(['sync_state']).execute();
    for (const l of lines) expect(['SYNCED', 'SKIPPED']).toContain(l.sync_state);
    await rerunSendsNothing('at the end');
  });
});
