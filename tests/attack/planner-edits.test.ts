import { afterEach, describe, expect, it } from 'vitest';
import { readBoard } from '../support/board.js';
import { createRelEnv, type RelEnv } from '../reliability/support/env.js';
import { assertHonestBoard, cli, EDIT_KINDS, ITEMS_BOARD, plannerEdits, staging, verifyJson } from './support.js';

/**
 * Planners edit the board between two runs (rename, move, delete an item or a subitem,
 * overwrite a db-owned column, change a quantity). Nothing changed upstream, so the next run
 * has nothing to write: its verdict must still say what its board check found, not OK, and
 * `verify` must list every edit.
 */
describe('planner edits between runs', () => {
  let env: RelEnv | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it('the next run is not OK while the board holds the edits, and verify lists each one', { timeout: 150_000 }, async () => {
    const e = (env = await createRelEnv({ latencyMs: 5, batchSize: 5 }));
    const rows = staging(4201, 16);
    await e.load(rows);
    const first = await e.run();
    expect(first.status, first.verdict.summary).toBe('OK');
    const edits = await plannerEdits(e);

    const run = await cli(e, ['run', '--json']);
    expect(run.code, 'the run after the edits').toBe(2);
    const verdict = JSON.parse(run.stdout) as { status: string; verdict: { summary: string }; proof: { counts: Record<string, number> } };
    expect(verdict.status).toBe('DEGRADED');
    expect(verdict.verdict.summary).toMatch(/board check: 6 difference\(s\)/);
    for (const kind of EDIT_KINDS) expect(verdict.proof.counts[kind], kind).toBe(1);
    const check = await verifyJson(e);
    expect(check.code).toBe(2);
    expect(check.json.findings.map((f) => `${f.kind} ${f.order_key}`).sort()).toEqual(edits.map((x) => `${x.kind} ${x.orderKey}`).sort());

    // Nobody repaired anything: the run after that one still runs on a board that holds every edit,
    // later than the 15 s by which a check's activity window overlaps the one before.
    const until = Date.parse((JSON.parse(run.stdout) as { proof: { check: { window: { until: string } } } }).proof.check.window.until);
    await new Promise((r) => setTimeout(r, Math.max(0, until + 16_000 - Date.now())));
    const again = await cli(e, ['run', '--json']);
    const second = JSON.parse(again.stdout) as { status: string; verdict: { summary: string }; proof: { counts: Record<string, number> } };
    expect(second.status, `${second.verdict.summary}: a run that did not look at the drift it was told about is not OK`).toBe('DEGRADED');
    expect(again.code).toBe(2);
    for (const kind of EDIT_KINDS) expect(second.proof.counts[kind], kind).toBe(1);

    // Repaired the way the verdict says, the board is the projection again and the next run is OK.
    expect((await cli(e, ['verify', '--fix'])).code).toBe(0);
    const repair = await cli(e, ['run']);
    expect(repair.code, repair.stdout + repair.stderr).toBe(0);
    await assertHonestBoard(e, rows, 'after verify --fix and run');
    expect((await verifyJson(e)).code).toBe(0);
  });

  // This failed while the UPDATE of an item a planner deleted (ResourceNotFoundException) parked
  // the order in ERROR with the dead item id: `verify` compares SYNCED orders only, `retry` sent
  // the same UPDATE to the same id, and the runs after it said "nothing to sync" while the order
  // was not on the board. Now the run that meets the deleted item (confirmed by id) queues the
  // order as a create: it says so (DEGRADED, 1 failed) and the next run creates the item again.
  it('an order whose item a planner deleted changes upstream: the run says so, verify --fix + run recreate it', { timeout: 120_000 }, async () => {
    const e = (env = await createRelEnv({ latencyMs: 5, batchSize: 5 }));
    const rows = staging(4202, 12);
    await e.load(rows);
    expect((await e.run()).status).toBe('OK');
    const [gone, moved] = await plannerEdits(e, ['item_missing', 'wrong_group']);
    for (const r of rows) if (r['AAG ORDER NUMBER'] === gone?.orderKey || r['AAG ORDER NUMBER'] === moved?.orderKey) r['PO NUMBER'] = `${String(r['PO NUMBER'] ?? '')}-UP`;
    await e.load(rows);

    const run = await cli(e, ['run', '--json']);
    const result = JSON.parse(run.stdout) as { status: string; verdict: { summary: string; failed: number } };
    expect(result.status, result.verdict.summary).not.toBe('OK');
    expect(run.code).not.toBe(0);
    const row = await e.db.kysely.selectFrom('orders').select(['sync_state', 'last_error_code']).where('order_key', '=', gone!.orderKey).executeTakeFirstOrThrow();
    expect(row.sync_state === 'SYNCED', `the deleted item's order: ${JSON.stringify(row)}`).toBe(false);
    console.log(JSON.stringify({ suite: 'attack/planner-edits', deletedThenChanged: row, status: result.status, summary: result.verdict.summary }));

    // What the operator is told: verify names the deleted item (or the row is queued/ERROR), then the repair.
    const fix = await cli(e, ['verify', '--fix']);
    expect([0, 2], fix.stdout + fix.stderr).toContain(fix.code);
    const retry = await cli(e, ['retry']);
    console.log(JSON.stringify({ suite: 'attack/planner-edits', verifyFix: fix.stdout, retry: retry.code }));
    const repair = await cli(e, ['run']);
    expect(repair.code, repair.stdout + repair.stderr).toBe(0);
    await assertHonestBoard(e, rows, 'after the deleted item was changed upstream');
  });
  it('a deleted item whose order changes upstream: the next plain run creates it again, journaled so its rollback undoes it', { timeout: 150_000 }, async () => {
    const e = (env = await createRelEnv({ latencyMs: 5, batchSize: 5 }));
    const rows = staging(4203, 12);
    await e.load(rows);
    expect((await e.run()).status).toBe('OK');
    const [gone] = await plannerEdits(e, ['item_missing']);
    const key = gone!.orderKey;
    const deadItem = (await e.db.kysely.selectFrom('orders').select('monday_item_id').where('order_key', '=', key).executeTakeFirstOrThrow()).monday_item_id;
    for (const r of rows) if (r['AAG ORDER NUMBER'] === key) r['PO NUMBER'] = `${String(r['PO NUMBER'] ?? '')}-UP`;
    await e.load(rows);
    type RunJson = { runId: number; status: string; verdict: { summary: string } };

    // The run that meets the deleted item says so and queues the order (and its lines) as a create.
    const met = await cli(e, ['run', '--json']);
    const first = JSON.parse(met.stdout) as RunJson;
    expect(first.status, first.verdict.summary).toBe('DEGRADED');
    expect(first.verdict.summary).toContain('1 failed');
    const order = await e.db.kysely.selectFrom('orders').select(['id', 'sync_state', 'action', 'monday_item_id']).where('order_key', '=', key).executeTakeFirstOrThrow();
    expect(order).toMatchObject({ sync_state: 'PENDING', action: 'INSERT', monday_item_id: null });
    const lines = await e.db.kysely.selectFrom('order_lines').select(['sync_state', 'monday_subitem_id']).where('order_id', '=', order.id).execute();
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.sync_state !== 'PENDING' || l.monday_subitem_id !== null), 'every line queued to be created under the new item').toEqual([]);
    const journaled = await e.db.kysely.selectFrom('sync_events').select(['order_key', 'operation', 'monday_id', 'error_code', 'before_json']).where('run_id', '=', first.runId).where('outcome', '=', 'ERROR').execute();
    expect(journaled).toEqual([expect.objectContaining({ order_key: key, operation: 'update_item', monday_id: deadItem, error_code: 'ResourceNotFoundException' })]);

    // The next plain run (no retry, no verify --fix) creates it again, with its subitems.
    const next = await cli(e, ['run', '--json']);
    const second = JSON.parse(next.stdout) as RunJson;
    expect(next.code, second.verdict.summary).toBe(0);
    await assertHonestBoard(e, rows, 'the run after the deleted item');
    const created = await e.db.kysely.selectFrom('sync_events').select(['order_key', 'operation']).where('run_id', '=', second.runId).where('outcome', '=', 'OK').where('operation', 'in', ['create_item', 'create_subitem']).execute();
    expect(created.filter((c) => c.operation === 'create_item').map((c) => c.order_key)).toEqual([key]);
    expect(created.filter((c) => c.operation === 'create_subitem').length).toBe(lines.length);

    // Rolled back, that run's create is archived and the order queued again; the run after brings it back.
    const rb = await cli(e, ['rollback', '--run', String(second.runId)]);
    expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    expect((await readBoard(e.emulator, ITEMS_BOARD)).items.has(key), 'the recreated item is archived by the rollback').toBe(false);
    const again = await cli(e, ['run']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    await assertHonestBoard(e, rows, 'the run after the rollback');
  });
});
