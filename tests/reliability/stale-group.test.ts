import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStaging, type StagingRow } from '../../src/sampledata/index.js';
import { readBoard } from '../support/board.js';
import { createRelEnv, ITEMS_BOARD, stateCounts, type RelEnv } from './support/env.js';

/**
 * Found by the bad-input catalogue: a planner deletes a group on the board; ordersync's
 * cached group id (monday_groups) went stale and every order for that group failed with
 * ResourceNotFound from then on. The cache is now checked against the board read at the
 * start of the run: a group that is gone is found again by title, or created.
 */
describe('a group deleted on the board', () => {
  let env: RelEnv;
  beforeAll(async () => {
    env = await createRelEnv();
  });
  afterAll(async () => env?.close());

  it('is recreated by the next run instead of failing every order for it', async () => {
    const rows: StagingRow[] = [...generateStaging({ seed: 61, orders: 6, customers: 1, mess: false }).rows];
    await env.load(rows);
    expect((await env.run()).status).toBe('OK');
    const board = env.emulator.store.boards.get(ITEMS_BOARD);
    const cached = await env.db.kysely.selectFrom('monday_groups').select(['title', 'group_id']).execute();
    expect(cached.length).toBeGreaterThan(0);
    // The planner deletes the group (and its items) on the board.
    for (const c of cached) {
      const g = board?.groups.find((x) => x.id === c.group_id);
      if (g) g.deleted = true;
      for (const item of board?.items.values() ?? []) if (item.groupId === c.group_id) item.state = 'deleted';
    }
    // New orders for the same customer and season arrive.
    const more: StagingRow[] = [...generateStaging({ seed: 61, orders: 9, customers: 1, mess: false }).rows];
    await env.load(more);
    const r = await env.run();
    expect(r.status, r.verdict.summary).toBe('OK');
    const states = await stateCounts(env.db);
    expect(states.orders.ERROR ?? 0).toBe(0);
    const fresh = more.filter((m) => !rows.some((x) => x['AAG ORDER NUMBER'] === m['AAG ORDER NUMBER']));
    const view = await readBoard(env.emulator, ITEMS_BOARD);
    for (const f of fresh) expect(view.items.has(String(f['AAG ORDER NUMBER'])), `${f['AAG ORDER NUMBER']} is on the board`).toBe(true);
    expect(view.duplicateGroups).toEqual([]);
  });
});
