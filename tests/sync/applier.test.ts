import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFromConfig } from '../../src/monday/from-config.js';
import { DailyLimitError, MondayError } from '../../src/monday/errors.js';
import { generateStaging } from '../../src/sampledata/index.js';
import { liveBoards, mondayBoard, syncBoard, type BoardApi } from '../../src/sync/index.js';
import { createSyncEnv, ITEMS_BOARD, type SyncEnv } from '../support/sync-env.js';

/**
 * The applier over a BoardApi that is the emulator's, but refuses or loses one request as told.
 * Both paths also run end to end (tests/reliability/faults.test.ts: the daily cap; e2e and the
 * fault matrix: lost answers); here the seam itself is checked: a refusal comes back as the
 * result's `stopped`, never as an exception, and a lost answer is looked up through the same API.
 */
function failing(inner: BoardApi, nth: number, fail: (send: () => Promise<unknown>) => Promise<never>): BoardApi & { itemSends: number } {
  const api = {
    itemSends: 0,
    get batchSize() {
      return inner.batchSize;
    },
    get stats() {
      return inner.stats;
    },
    send: async (ops, key) => {
      if (ops.some((o) => o.kind === 'create_item') && ++api.itemSends === nth) return fail(() => inner.send(ops, key));
      return inner.send(ops, key);
    },
    itemsByKey: (...a) => inner.itemsByKey(...a),
    subitemsOf: (...a) => inner.subitemsOf(...a),
    itemStates: (ids) => inner.itemStates(ids),
    groups: (id) => inner.groups(id),
    readBoard: (id) => inner.readBoard(id),
    readBoards: (...a) => inner.readBoards(...a),
  } satisfies BoardApi & { itemSends: number };
  return api;
}

describe('the applier honours what monday answers (SQLite, the emulator behind a BoardApi)', () => {
  let env: SyncEnv;
  let runId = 100;
  const ORDERS = 12;
  const rows = generateStaging({ seed: 7, orders: ORDERS, customers: 1, mess: false }).rows;

  const states = async () => {
    const r = await env.db.kysely.selectFrom('orders').select(['sync_state']).execute();
    return r.reduce<Record<string, number>>((m, x) => ({ ...m, [x.sync_state]: (m[x.sync_state] ?? 0) + 1 }), {});
  };
  const activeItems = () => [...(env.emulator.store.boards.get(ITEMS_BOARD)?.items.values() ?? [])].filter((i) => i.state === 'active').length;
  let seeded = 0;
  const sync = async (board: BoardApi) => {
    const s = env.cfg.settings;
    return syncBoard(env.db, s, board, { runId: ++runId, env: env.cfg.envName, boards: await liveBoards(env.db, s, board, env.cfg.envName) });
  };

  beforeAll(async () => {
    env = await createSyncEnv({ engine: 'sqlite', batchSize: 5 });
    await env.load(rows);
    await env.run({ command: 'merge' });
    seeded = activeItems();
  });
  afterAll(async () => {
    await env?.close();
  });

  it("a request refused outright (daily cap) stops the run as a result: the rows before it stay SYNCED, its own and the rest wait, no subitem is sent", async () => {
    const real = mondayBoard(clientFromConfig(env.cfg, {}, { ...process.env, ...env.envVars }).client);
    const board = failing(real, 2, async () => {
      throw new DailyLimitError({ code: 'DAILY_LIMIT_EXCEEDED', message: 'daily call limit reached' });
    });
    const { result } = await sync(board);
    expect(result.stopped).toMatchObject({ code: 'DAILY_LIMIT_EXCEEDED', message: expect.stringContaining('daily call limit') });
    expect(Date.parse(result.stopped?.resumeAfter ?? '')).toBeGreaterThan(Date.now());
    expect(result.counts.items_created).toBe(5);
    expect(result.counts.subitems_created).toBe(0);
    expect(await states()).toEqual({ SYNCED: 5, PENDING: ORDERS - 5 });
    expect(activeItems() - seeded).toBe(5);
  });

  it('a lost answer (the request ran, no response came) is looked up on the board by key: adopted and re-sent, never created twice', async () => {
    const real = mondayBoard(clientFromConfig(env.cfg, {}, { ...process.env, ...env.envVars }).client);
    const board = failing(real, 1, async (send) => {
      await send();
      throw new MondayError({ code: 'ECONNRESET', message: 'socket hang up', maybeApplied: true });
    });
    const { result } = await sync(board);
    expect(result.stopped).toBeUndefined();
    expect(result.counts.adopted_items).toBe(5);
    // Adopted rows keep their item and wait for the next run to re-send every value.
    expect(await states()).toEqual({ SYNCED: ORDERS - 5, PENDING: 5 });
    expect(activeItems() - seeded).toBe(ORDERS);
    const next = await sync(real);
    expect(next.result.counts).toMatchObject({ items_created: 0, items_updated: 5 });
    expect(await states()).toEqual({ SYNCED: ORDERS });
    expect(activeItems() - seeded).toBe(ORDERS);
  });
});
