import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStaging, type StagingRow } from '../../src/sampledata/index.js';
import { ENGINES } from '../support/engines.js';
import { createSyncEnv, ITEMS_BOARD, SUBITEMS_BOARD, type SyncEnv } from '../support/sync-env.js';

const PO_COL = 'text_mkr5ej2x';
const QTY_COL = 'numeric_mkra7j8e';
const PLANNER = '9000000077';

/**
 * `verify.after_run = "changed"` (the default): with staging unchanged, a run finds a planner's
 * edit through both boards' activity logs and reads back only the touched items, not the board;
 * a full verify runs when `full_every` has passed. The planner acts through the emulator's
 * as-user route, so the log names another user than ordersync's.
 */
describe.each(ENGINES.filter((e) => e !== 'pglite'))('drift found through the activity log on %s', (engine) => {
  let env: SyncEnv;
  let rows: StagingRow[];

  beforeAll(async () => {
    env = await createSyncEnv({ engine });
    rows = [...generateStaging({ seed: 23, orders: 30, customers: 3, mess: { duplicateShare: 0, cancelledShare: 0, emptyKeyShare: 0, blankRowShare: 0 } }).rows];
    await env.load(rows);
    const first = await env.run();
    expect(first.status, first.verdict.summary).toBe('OK');
    expect(first.proof?.check?.mode).toBe('changed');
  });
  afterAll(async () => {
    await env?.close();
  });

  async function asPlanner(query: string, variables: Record<string, unknown>): Promise<any> {
    const res = await fetch(env.emulator.url.replace(/\/v2$/, '/__emulator/as-user'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: env.emulator.token },
      body: JSON.stringify({ user_id: PLANNER, query, variables }),
    });
    const body = (await res.json()) as { data?: any; errors?: unknown };
    if (res.status !== 200 || body.errors) throw new Error(`planner request failed: ${res.status} ${JSON.stringify(body)}`);
    return body.data;
  }
  const set = (board: string, item: string, column: string, value: string) =>
    asPlanner('mutation ($b: ID!, $i: ID!, $c: String!, $v: String!) { change_simple_column_value(board_id: $b, item_id: $i, column_id: $c, value: $v) { id } }', { b: board, i: item, c: column, v: value });

  it('a run with unchanged staging finds the planner edits from the log and reads only those items', async () => {
    const orders = await env.db.kysely.selectFrom('orders').select(['id', 'order_key', 'monday_item_id']).where('sync_state', '=', 'SYNCED').orderBy('id').execute();
    const [a, b] = orders as [(typeof orders)[number], (typeof orders)[number]];
    const line = await env.db.kysely.selectFrom('order_lines').selectAll().where('order_id', '=', b.id).where('monday_subitem_id', 'is not', null).executeTakeFirstOrThrow();
    await set(ITEMS_BOARD, a.monday_item_id as string, PO_COL, 'PO-BY-PLANNER');
    await set(SUBITEMS_BOARD, line.monday_subitem_id as string, QTY_COL, '1');
    // Edits of columns ordersync neither writes nor reads back are no reason to look.
    await set(ITEMS_BOARD, (orders[2] as (typeof orders)[number]).monday_item_id as string, 'text_mkr5kbc6', 'somewhere');

    const log = await asPlanner('query ($b: [ID!]) { boards(ids: $b) { activity_logs(limit: 10) { event user_id data } } }', { b: [ITEMS_BOARD] });
    expect(log.boards[0].activity_logs[0]).toMatchObject({ event: 'update_column_value', user_id: PLANNER });
    expect(JSON.parse(log.boards[0].activity_logs[0].data)).toMatchObject({ column_id: 'text_mkr5kbc6', value: 'somewhere' });

    const before = env.emulator.stats().requests;
    const run = await env.run();
    const requests = env.emulator.stats().requests - before;
    expect(run.sync?.stats.mutations ?? 0, 'nothing to sync').toBe(0);
    expect(run.status, run.verdict.summary).toBe('DEGRADED');
    expect(run.proof?.check).toMatchObject({ mode: 'changed', activity: { items: 1, subitems: 1, truncated: false } });
    expect(run.proof?.checked.orders, 'only the touched orders were read back').toBe(2);
    expect(run.proof?.findings.map((f) => [f.kind, f.order_key, f.board]).sort()).toEqual(
      [
        ['column_changed', a.order_key, 'PO-BY-PLANNER'],
        ['qty_changed', b.order_key, '1'],
      ].sort(),
    );
    const check = run.proof?.check;
    expect(check?.activity?.requests).toBeGreaterThanOrEqual(2);
    expect(check?.api.requests).toBeGreaterThan(check?.activity?.requests ?? 0);
    expect(requests, 'far fewer requests than reading the board').toBeLessThan(15);
    const record = await env.db.kysely.selectFrom('sync_runs').select('counts_json').where('id', '=', run.runId).executeTakeFirstOrThrow();
    expect(JSON.parse(record.counts_json).verify.check).toMatchObject({ mode: 'changed', window: { from: expect.any(String), until: expect.any(String) } });
  });

  it('the next run starts where the last window ended (the planner edit is not found twice unless still there), and full_every forces a full verify', async () => {
    const quiet = await env.run();
    expect(quiet.proof?.check?.activity?.items ?? 0, 'the edits before the last window are not read again').toBeLessThanOrEqual(1);
    const saved = env.cfg.settings.verify.full_every;
    env.cfg.settings.verify.full_every = '0m';
    try {
      const full = await env.run();
      expect(full.proof?.check?.mode).toBe('full');
      expect(full.proof?.checked.orders).toBeGreaterThan(20);
      expect(full.proof?.counts.column_changed).toBe(1);
    } finally {
      env.cfg.settings.verify.full_every = saved;
    }
  });
});
