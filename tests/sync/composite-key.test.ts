import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { boardKey } from '../../src/config/board-keys.js';
import { settingsSchema } from '../../src/config/schema.js';
import type { Item } from '../../src/emulator/index.js';
import { fetchBoardSnapshot } from '../../src/monday/board-schema.js';
import { clientFromConfig } from '../../src/monday/from-config.js';
import { adoptExisting } from '../../src/jobs/baseline.js';
import { startRun } from '../../src/queue/runs.js';
import { generateStaging, type StagingRow } from '../../src/sampledata/index.js';
import { collect, spawnCli } from '../support/cli.js';
import { createSyncEnv, ITEMS_BOARD, SUBITEMS_BOARD, type SyncEnv } from '../support/sync-env.js';

/**
 * Issue 12 #3: with key_columns = [A, B], crash recovery and baseline found items by A alone
 * (and baseline lower-cased it): two orders sharing A adopted one item, which then carried both
 * orders' subitems, and the other item was orphaned, while every run reported OK. Items are
 * matched on the whole key, exactly, everywhere, and the database refuses two orders on one item.
 */

const A = 'AAG ORDER NUMBER';
const B = 'CUSTOMER STYLE';
const A_COL = 'text_mkr5wya6';
const B_COL = 'text_mktdechp';
const composite = (toml: string) => toml.replace('key_columns = ["AAG ORDER NUMBER"]', `key_columns = ["${A}", "${B}"]`);

/** Orders in pairs sharing A (different B); one more pair whose A differs only by case. */
function pairedRows(seed: number, orders: number): StagingRow[] {
  const rows = [...generateStaging({ seed, orders, customers: 2, mess: { duplicateShare: 0, cancelledShare: 0, emptyKeyShare: 0, blankRowShare: 0 } }).rows].map((r) => ({ ...r }));
  for (let i = 1; i < rows.length; i += 2) {
    const first = rows[i - 1] as StagingRow;
    const row = rows[i] as StagingRow;
    row[A] = first[A] ?? null;
    row[B] = `${String(first[B])}-B`;
  }
  const last = rows.length - 1;
  (rows[last - 1] as StagingRow)[A] = 'PEL-1';
  (rows[last] as StagingRow)[A] = 'pel-1';
  (rows[last] as StagingRow)[B] = (rows[last - 1] as StagingRow)[B] ?? null;
  return rows;
}

function text(item: Item, col: string): string {
  const d = item.values.get(col)?.data;
  return typeof d === 'string' ? d : '';
}

/** Checks board and database agree order by order: one active item per whole key, its own subitems, no item shared. */
async function assertOneItemPerOrder(env: SyncEnv): Promise<void> {
  const board = env.emulator.store.boards.get(ITEMS_BOARD);
  const active = [...(board?.items.values() ?? [])].filter((i) => i.state === 'active');
  const byKey = new Map<string, Item[]>();
  for (const i of active) {
    const k = JSON.stringify([text(i, A_COL), text(i, B_COL)]);
    byKey.set(k, [...(byKey.get(k) ?? []), i]);
  }
  const orders = await env.db.kysely.selectFrom('orders').select(['id', 'order_key', 'key_values', 'monday_item_id', 'sync_state']).execute();
  expect(orders.filter((o) => o.sync_state !== 'SYNCED')).toEqual([]);
  const ids = orders.map((o) => o.monday_item_id);
  expect(new Set(ids).size, 'two orders share one item').toBe(ids.length);
  for (const o of orders) {
    const items = byKey.get(JSON.stringify(JSON.parse(o.key_values))) ?? [];
    expect(items.map((i) => i.id), `${o.order_key}: exactly one active item, the order's own`).toEqual([o.monday_item_id]);
    const lines = await env.db.kysely.selectFrom('order_lines').select(['size', 'monday_subitem_id']).where('order_id', '=', o.id).execute();
    const subs = (items[0]?.subitemIds ?? []).map((id) => env.emulator.store.items.get(id)).filter((s): s is Item => s?.state === 'active');
    expect(subs.map((s) => s.id).sort(), `${o.order_key}: its subitems are its lines`).toEqual(lines.map((l) => l.monday_subitem_id).sort());
  }
  expect(active.length, 'an orphaned item is left on the board').toBe(orders.length);
}

describe('composite keys [AAG ORDER NUMBER, CUSTOMER STYLE]', () => {
  let env: SyncEnv | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it('SIGKILL with creates in flight: reconcile adopts each order its own item', async () => {
    env = await createSyncEnv({ engine: 'sqlite', latencyMs: 15, batchSize: 4, patchConfig: composite });
    const rows = pairedRows(31, 12);
    await env.load(rows);
    await env.closeDb();

    const child: ChildProcess = spawnCli(['--config', env.configPath, 'run'], { cwd: env.dir, env: env.envVars });
    const store = env.emulator.store;
    const original = store.addItem;
    let seen = 0;
    store.addItem = function (this: typeof store, ...args: Parameters<typeof original>): Item {
      const item = original.apply(this, args);
      if (item.boardId === ITEMS_BOARD && ++seen === 3) child.kill('SIGKILL');
      return item;
    };
    const r1 = await collect(child, 60_000).finally(() => (store.addItem = original));
    expect(r1.code, r1.stderr).toBe(137);
    await env.reopen();
    const inFlight = await env.db.kysely.selectFrom('orders').select('order_key').where('sync_state', '=', 'IN_FLIGHT').execute();
    expect(inFlight.length, 'the kill left a batch of creates in flight').toBeGreaterThanOrEqual(2);

    const second = await env.run();
    expect(second.sync?.counts.adopted_items).toBe(inFlight.length);
    await assertOneItemPerOrder(env);
    expect(env.emulator.store.boards.get(SUBITEMS_BOARD)?.items.size).toBe(Number((await env.db.kysely.selectFrom('order_lines').select((e) => e.fn.countAll().as('n')).executeTakeFirst())?.n));
  }, 120_000);

  it('baseline adopts each order its own item by the whole key, case-sensitively; merge reports keys differing only by case', async () => {
    env = await createSyncEnv({ engine: 'sqlite', patchConfig: composite });
    await env.load(pairedRows(37, 10));
    const first = await env.run();
    expect(first.status).toBe('OK');
    expect(first.merge?.caseVariants).toEqual([{ keys: expect.arrayContaining([expect.stringMatching(/^PEL-1 \| /), expect.stringMatching(/^pel-1 \| /)]), rows: [9, 10] }]);
    const onBoard = new Map((await env.db.kysely.selectFrom('orders').select(['order_key', 'monday_item_id']).execute()).map((o) => [o.order_key, o.monday_item_id]));

    // A new database for the same boards (the cutover case): forget every item id, then baseline.
    await env.db.kysely.deleteFrom('order_lines').execute();
    await env.db.kysely.deleteFrom('orders').execute();
    await env.run({ command: 'merge' });
    const s = env.cfg.settings;
    const { client } = clientFromConfig(env.cfg, {}, { ...process.env, ...env.envVars });
    const boards = { items: await fetchBoardSnapshot(client, ITEMS_BOARD), subitems: await fetchBoardSnapshot(client, SUBITEMS_BOARD) };
    const result = await adoptExisting(env.db, s, client, await startRun(env.db, env.cfg.envName, 'cutover:baseline'), boards);
    expect(result.duplicatesOnBoard).toEqual([]);
    expect(result.adoptedItems).toBe(onBoard.size);
    const adopted = new Map((await env.db.kysely.selectFrom('orders').select(['order_key', 'monday_item_id']).execute()).map((o) => [o.order_key, o.monday_item_id]));
    expect(adopted).toEqual(onBoard);
  }, 120_000);

  it('mapping.key_column_id on an unmapped text column: the sync writes the canonical key there and baseline matches on it', async () => {
    const WHOLE = 'text_mkr61hpz';
    env = await createSyncEnv({ engine: 'sqlite', patchConfig: (t) => composite(t).replace('line_delete_policy = "zero"', `line_delete_policy = "zero"\nkey_column_id = "${WHOLE}"`) });
    const rows = pairedRows(43, 6);
    (rows[0] as StagingRow)[B] = 'STY|1\\X';
    await env.load(rows);
    expect((await env.run()).status).toBe('OK');
    const orders = await env.db.kysely.selectFrom('orders').select(['order_key', 'key_values', 'monday_item_id']).execute();
    expect(orders.some((o) => o.order_key.endsWith(' | STY\\|1\\\\X'))).toBe(true);
    for (const o of orders) expect(text(env.emulator.store.items.get(o.monday_item_id as string) as Item, WHOLE), o.order_key).toBe(o.order_key);

    const onBoard = new Map(orders.map((o) => [o.order_key, o.monday_item_id]));
    await env.db.kysely.deleteFrom('order_lines').execute();
    await env.db.kysely.deleteFrom('orders').execute();
    await env.run({ command: 'merge' });
    const { client } = clientFromConfig(env.cfg, {}, { ...process.env, ...env.envVars });
    const boards = { items: await fetchBoardSnapshot(client, ITEMS_BOARD), subitems: await fetchBoardSnapshot(client, SUBITEMS_BOARD) };
    const result = await adoptExisting(env.db, env.cfg.settings, client, await startRun(env.db, env.cfg.envName, 'cutover:baseline'), boards);
    expect(result.adoptedItems).toBe(onBoard.size);
    expect(new Map((await env.db.kysely.selectFrom('orders').select(['order_key', 'monday_item_id']).execute()).map((o) => [o.order_key, o.monday_item_id]))).toEqual(onBoard);
  }, 120_000);

  it('a composite key that is not on the board is a configuration error naming the unmapped part', () => {
    const s = (mapping: Record<string, unknown>) => settingsSchema.parse({ staging: { key_columns: [A, 'SEASON CODE'] }, mapping: { columns: { [A]: A_COL }, ...mapping } });
    expect(() => boardKey(s({}))).toThrow(/composite business key \["AAG ORDER NUMBER", "SEASON CODE"\] is not on the board: "SEASON CODE" not mapped/);
    expect(() => boardKey(s({ key_column_id: A_COL }))).toThrow(/mapping.key_column_id text_mkr5wya6 is mapped from "AAG ORDER NUMBER", so it cannot hold the whole business key/);
    expect(boardKey(s({ key_column_id: 'text_whole' }))).toEqual({ kind: 'whole', columnId: 'text_whole', written: true });
  });
});
