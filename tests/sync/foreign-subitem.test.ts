import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Item } from '../../src/emulator/index.js';
import { generateStaging, type StagingRow } from '../../src/sampledata/index.js';
import { createSyncEnv, ITEMS_BOARD, type SyncEnv } from '../support/sync-env.js';

const KEY = 'AAG ORDER NUMBER';
const QTY_COL = 'numeric_mkra7j8e';

/**
 * Issue 12 #4: after the board lost acknowledged writes, lines held subitem ids that now belong
 * to other orders' items, and a quantity change was written into another order's subitem. Every
 * subitem write checks that the subitem is under the order's item; one that is not is left alone
 * and the line gets a subitem of its own.
 */
describe('a line whose subitem id is under another order', () => {
  let env: SyncEnv;
  let rows: StagingRow[];

  beforeAll(async () => {
    env = await createSyncEnv({ engine: 'sqlite' });
    rows = [...generateStaging({ seed: 41, orders: 2, customers: 1, mess: { duplicateShare: 0, cancelledShare: 0, emptyKeyShare: 0, blankRowShare: 0 } }).rows];
    await env.load(rows);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('is recreated under its own item; the other order keeps its subitem untouched', async () => {
    expect((await env.run()).status).toBe('OK');
    const db = env.db.kysely;
    const [one, two] = await db.selectFrom('orders').select(['id', 'order_key', 'monday_item_id']).orderBy('id').execute();
    if (!one || !two) throw new Error('expected two orders');
    const line = await db.selectFrom('order_lines').select(['id', 'size', 'qty', 'monday_subitem_id']).where('order_id', '=', one.id).orderBy('id').executeTakeFirstOrThrow();
    const store = env.emulator.store;
    const stolen = store.items.get(line.monday_subitem_id as string) as Item;
    const ownerBefore = store.items.get(one.monday_item_id as string) as Item;
    const other = store.items.get(two.monday_item_id as string) as Item;

    // What a board that lost writes and reused ids looks like: this subitem id is now under order two.
    ownerBefore.subitemIds = ownerBefore.subitemIds.filter((id) => id !== stolen.id);
    other.subitemIds.push(stolen.id);
    stolen.parentId = other.id;
    const otherQty = stolen.values.get(QTY_COL)?.data;

    // Order one's quantity for that size changes.
    const changed = rows.map((r) => (r[KEY] === one.order_key ? { ...r, [line.size]: line.qty + 5 } : r));
    await env.load(changed);
    const second = await env.run();
    expect(second.status).toBe('OK');

    expect(stolen.parentId).toBe(other.id);
    expect(stolen.values.get(QTY_COL)?.data, "order two's subitem was written through").toEqual(otherQty);
    const after = await db.selectFrom('order_lines').select(['monday_subitem_id', 'synced_qty', 'sync_state']).where('id', '=', line.id).executeTakeFirstOrThrow();
    expect(after.sync_state).toBe('SYNCED');
    expect(after.monday_subitem_id).not.toBe(stolen.id);
    const own = store.items.get(after.monday_subitem_id as string) as Item;
    expect(own.parentId).toBe(one.monday_item_id);
    expect(own.state).toBe('active');
    expect(Number(String(own.values.get(QTY_COL)?.data))).toBe(line.qty + 5);
    const active = (item: Item) => item.subitemIds.map((id) => store.items.get(id)).filter((s) => s?.state === 'active');
    expect(active(store.items.get(one.monday_item_id as string) as Item).length).toBe(Number((await db.selectFrom('order_lines').select((e) => e.fn.countAll().as('n')).where('order_id', '=', one.id).executeTakeFirst())?.n));
    const events = await db.selectFrom('sync_events').select(['operation', 'outcome', 'monday_id']).where('order_key', '=', one.order_key).where('run_id', '=', second.runId).execute();
    expect(events).toContainEqual({ operation: 'detach_subitem', outcome: 'SKIPPED', monday_id: stolen.id });
    expect(store.boards.get(ITEMS_BOARD)?.items.size).toBe(2);
  });
});
