import { afterEach, describe, expect, it } from 'vitest';
import { readBoard } from '../support/board.js';
import { createRelEnv, type RelEnv } from '../reliability/support/env.js';
import { cli, ITEMS_BOARD, planner, plannerEdits, staging } from './support.js';

type RunJson = { runId: number; status: string; verdict: { summary: string; failed: number }; sync: { counts: Record<string, number> } };

/**
 * An order vanishes from staging under vanished_policy "archive" after a planner already
 * deleted or archived its item by hand. The archive's goal (the item off the board) is met:
 * the run sees the item is not active and records the order as settled, not ERROR and not
 * archived by us, and rollback of that run has nothing of ours to bring back (un-archiving a
 * planner's archive, or recreating a deleted item, is not an undo).
 */
const CASES = [
  { edit: 'item_missing', state: 'deleted', keepsId: false },
  { edit: 'item_archived', state: 'archived', keepsId: true },
] as const;

describe.each(CASES)('archiving an item a planner already took off the board ($edit)', ({ edit, state, keepsId }) => {
  let env: RelEnv | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it(`the row ends settled (item ${state}), the verdict says so, and rollback of the run brings nothing back`, { timeout: 120_000 }, async () => {
    const e = (env = await createRelEnv({
      latencyMs: 5,
      batchSize: 5,
      patchConfig: (toml) => toml.replace('vanished_policy = "leave"', 'vanished_policy = "archive"'),
    }));
    const rows = staging(4204, 12);
    await e.load(rows);
    expect((await e.run()).status).toBe('OK');
    const [edited] = await plannerEdits(e, [edit]);
    const key = edited!.orderKey;
    const deadItem = (await e.db.kysely.selectFrom('orders').select('monday_item_id').where('order_key', '=', key).executeTakeFirstOrThrow()).monday_item_id;
    await e.load(rows.filter((r) => r['AAG ORDER NUMBER'] !== key));

    const run = await cli(e, ['run', '--json']);
    const result = JSON.parse(run.stdout) as RunJson;
    const row = await e.db.kysely.selectFrom('orders').select(['sync_state', 'action', 'monday_item_id', 'last_error_code']).where('order_key', '=', key).executeTakeFirstOrThrow();
    expect(row.sync_state, `the order whose item was already ${state}: ${JSON.stringify(row)}`).toBe('SYNCED');
    expect(row).toMatchObject({ action: 'NONE', monday_item_id: keepsId ? deadItem : null });
    expect(result.verdict.failed, result.verdict.summary).toBe(0);
    expect(result.status, result.verdict.summary).toBe('OK');
    expect(result.sync.counts, 'counted as already gone, not as archived by us').toMatchObject({ items_archived: 0, items_already_gone: 1, items_failed: 0 });
    const events = await e.db.kysely.selectFrom('sync_events').select(['order_key', 'operation', 'outcome', 'monday_id', 'after_json']).where('run_id', '=', result.runId).execute();
    expect(events).toEqual([expect.objectContaining({ order_key: key, operation: 'archive_item', outcome: 'SKIPPED', monday_id: deadItem })]);
    expect(JSON.parse(events[0]!.after_json ?? '{}')).toMatchObject({ state });

    // The next run has nothing to do for it, and rollback of the run neither fails nor brings it back.
    const next = await cli(e, ['run', '--json']);
    expect(next.code, next.stdout).toBe(0);
    const rb = await cli(e, ['--yes', 'rollback', '--run', String(result.runId), '--json']);
    expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    const rolled = JSON.parse(rb.stdout) as { failed?: number; steps?: Array<{ action: string }> };
    expect(rolled.steps?.filter((s) => s.action !== 'covered') ?? [], rb.stdout).toEqual([]);
    expect((await readBoard(e.emulator, ITEMS_BOARD)).items.has(key), 'nothing brought back').toBe(false);
    // monday lists a deleted item to nobody; an archived one by id, with its state.
    const asked = (await planner(e, 'query ($i: [ID!]) { items(ids: $i) { id state } }', { i: [deadItem] })) as { items: Array<{ state: string }> };
    expect(asked.items[0]?.state ?? 'deleted', "the planner's edit stands").toBe(state);
    const after = await e.db.kysely.selectFrom('orders').select(['sync_state']).where('order_key', '=', key).executeTakeFirstOrThrow();
    expect(after.sync_state).toBe('SYNCED');
  });
});
