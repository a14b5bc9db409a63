import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Item } from '../../src/emulator/index.js';
import { generateStaging, type StagingRow } from '../../src/sampledata/index.js';
import { runCli } from '../support/cli.js';
import { createSyncEnv, type SyncEnv } from '../support/sync-env.js';

const KEY = 'AAG ORDER NUMBER';
const QTY_COL = 'numeric_mkra7j8e';

/**
 * A run that found a line's subitem under another order's item detached the line (journaled
 * as detach_subitem, nothing sent to that subitem) and wrote the quantity into the item's own
 * subitem of that size. Rolling that run back must put the row back as it was (the line's old
 * subitem id, so the next run redoes the detach) and the own subitem's quantity back to what the
 * board showed, not to an empty value.
 */
describe('rollback of a run that detached a subitem', () => {
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

  async function cli(...args: string[]) {
    await env.closeDb();
    try {
      return await runCli(['--config', env.configPath, '--yes', ...args], { cwd: env.dir, env: env.envVars, timeoutMs: 60_000 });
    } finally {
      await env.reopen();
    }
  }

  it('restores the line to its old subitem and the taken subitem to its board quantity', async () => {
    expect((await env.run()).status).toBe('OK');
    const db = () => env.db.kysely;
    const [one, two] = await db().selectFrom('orders').select(['id', 'order_key', 'monday_item_id']).orderBy('id').execute();
    if (!one || !two) throw new Error('expected two orders');
    const line = await db().selectFrom('order_lines').select(['id', 'size', 'qty', 'monday_subitem_id', 'synced_qty']).where('order_id', '=', one.id).orderBy('id').executeTakeFirstOrThrow();
    const store = env.emulator.store;
    const stolen = store.items.get(line.monday_subitem_id as string) as Item;
    const owner = store.items.get(one.monday_item_id as string) as Item;
    const other = store.items.get(two.monday_item_id as string) as Item;
    owner.subitemIds = owner.subitemIds.filter((id) => id !== stolen.id);
    other.subitemIds.push(stolen.id);
    stolen.parentId = other.id;
    const otherQty = stolen.values.get(QTY_COL)?.data;
    // The order's own item holds an unclaimed subitem of that size, showing 7.
    const subBoard = store.boardOf(stolen);
    const own = store.addItem(subBoard, { name: stolen.name, groupId: stolen.groupId, parentId: owner.id });
    for (const [col, cell] of stolen.values) store.setCell(own, store.column(subBoard, col)!, cell);
    store.setCell(own, store.column(subBoard, QTY_COL)!, { data: '7', changedAt: new Date().toISOString() });

    await env.load(rows.map((r) => (r[KEY] === one.order_key ? { ...r, [line.size]: line.qty + 5 } : r)));
    const second = await env.run();
    expect(second.status).toBe('OK');
    const detached = await db().selectFrom('order_lines').select(['monday_subitem_id']).where('id', '=', line.id).executeTakeFirstOrThrow();
    expect(detached.monday_subitem_id, 'the line took its item\'s own subitem').toBe(own.id);
    expect(Number(own.values.get(QTY_COL)?.data)).toBe(line.qty + 5);

    const rb = await cli('rollback', '--run', String(second.runId), '--json');
    expect(rb.code, rb.stderr + rb.stdout).toBe(0);
    expect(Number(own.values.get(QTY_COL)?.data), 'the own subitem shows what it showed before the run').toBe(7);
    expect(stolen.values.get(QTY_COL)?.data, 'the other order\'s subitem is never written').toEqual(otherQty);
    const back = await db().selectFrom('order_lines').select(['monday_subitem_id', 'sync_state']).where('id', '=', line.id).executeTakeFirstOrThrow();
    expect(back, 'the row is as it was before the run, queued again').toEqual({ monday_subitem_id: stolen.id, sync_state: 'PENDING' });
    const undone = await db().selectFrom('sync_events').select(['operation', 'outcome']).where('run_id', '=', JSON.parse(rb.stdout).runId).execute();
    expect(undone).toContainEqual({ operation: 'detach_subitem', outcome: 'ROLLED_BACK' });

    // The next run redoes the work the same way.
    expect((await env.run()).status).toBe('OK');
    const redone = await db().selectFrom('order_lines').select(['monday_subitem_id', 'synced_qty']).where('id', '=', line.id).executeTakeFirstOrThrow();
    expect(redone).toEqual({ monday_subitem_id: own.id, synced_qty: line.qty + 5 });
    expect(stolen.values.get(QTY_COL)?.data).toEqual(otherQty);
  });
});
