import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStaging, type StagingRow } from '../../src/sampledata/index.js';
import { assertBoardMatches, expectedBoard, readBoard, type ExpectedBoard } from '../support/board.js';
import { createSyncEnv, ITEMS_BOARD, SUBITEMS_BOARD, type SyncEnv } from '../support/sync-env.js';

/**
 * The non-default policies: cancelled items move to a configured group (which already exists
 * on the fixture board, so it is found, not created) and back on reactivation; a size that
 * disappears deletes its subitem (line_delete_policy = "delete").
 */

const KEY = 'AAG ORDER NUMBER';
const CANCEL_GROUP = 'Cancelled Orders';

describe('sync policies: cancel.move_to_group, line_delete_policy = delete', () => {
  let env: SyncEnv;
  let rows: StagingRow[];
  let board: ExpectedBoard = new Map();

  beforeAll(async () => {
    env = await createSyncEnv({
      engine: 'sqlite',
      patchConfig: (toml) =>
        toml
          .replace('line_delete_policy = "zero"', 'line_delete_policy = "delete"')
          .replace('never_synced = "skip"', `never_synced = "skip"\nmove_to_group = "${CANCEL_GROUP}"`),
    });
    expect(env.cfg.settings.mapping.line_delete_policy).toBe('delete');
    expect(env.cfg.settings.cancel.move_to_group).toBe(CANCEL_GROUP);
    rows = [...generateStaging({ seed: 5, orders: 12, customers: 2, mess: false }).rows];
    await env.load(rows);
    await env.run();
    board = expectedBoard(rows, env.cfg.settings);
    assertBoardMatches(await readBoard(env.emulator, ITEMS_BOARD), board, 'initial load');
  });
  afterAll(async () => {
    await env?.close();
  });

  async function step(change: (row: StagingRow) => void, key: string, label: string) {
    rows = rows.map((r) => (r[KEY] === key ? { ...r } : r));
    change(rows.find((r) => r[KEY] === key) as StagingRow);
    await env.load(rows);
    const result = await env.run();
    expect(result.status, label).toBe('OK');
    const want = expectedBoard(rows, env.cfg.settings, { previous: board });
    assertBoardMatches(await readBoard(env.emulator, ITEMS_BOARD), want, label);
    board = want;
    return result;
  }

  it('a cancelled item moves to the configured group (found by title, not created) and back when reactivated', async () => {
    const key = [...board.keys()][0] as string;
    const home = board.get(key)?.group;
    const groupsBefore = (await readBoard(env.emulator, ITEMS_BOARD)).groups.length;
    const cancelled = await step((r) => void (r['ORDER TYPE'] = 'CANCELLED'), key, 'cancel');
    expect(cancelled.sync?.counts.groups_created).toBe(0);
    let view = await readBoard(env.emulator, ITEMS_BOARD);
    expect(view.items.get(key)?.group).toBe(CANCEL_GROUP);
    expect(view.groups.length).toBe(groupsBefore);
    for (const s of Object.values(view.items.get(key)?.subitems ?? {})) expect(s.qty).toBe(0);

    await step((r) => void (r['ORDER TYPE'] = 'RECEIVED'), key, 'reactivate');
    view = await readBoard(env.emulator, ITEMS_BOARD);
    expect(view.items.get(key)?.group).toBe(home);
    expect(view.duplicateGroups).toEqual([]);
  });

  it('a size that disappears deletes its subitem and its line', async () => {
    const key = [...board.keys()][1] as string;
    const item = (await readBoard(env.emulator, ITEMS_BOARD)).items.get(key);
    const sizes = Object.keys(item?.subitems ?? {});
    expect(sizes.length).toBeGreaterThanOrEqual(2);
    const gone = sizes[0] as string;
    const subitemId = item?.subitems[gone]?.id as string;
    const result = await step(
      (r) => {
        r[gone] = null;
        r['TOTAL QTY'] = Number(r['TOTAL QTY']) - Number(item?.subitems[gone]?.qty);
      },
      key,
      'size removed',
    );
    expect(result.sync?.counts.subitems_removed).toBe(1);
    expect(board.get(key)?.subitems[gone]).toBeUndefined();
    expect(env.emulator.store.boards.get(SUBITEMS_BOARD)?.items.get(subitemId)?.state).toBe('deleted');
    const lines = await env.db.kysely
      .selectFrom('order_lines as l')
      .innerJoin('orders as o', 'o.id', 'l.order_id')
      .select('l.size')
      .where('o.order_key', '=', key)
      .execute();
    expect(lines.map((l) => l.size)).not.toContain(gone);
  });
});
