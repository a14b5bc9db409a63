import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/observe/metrics.js';
import { generateStaging, type StagingRow } from '../../src/sampledata/index.js';
import { assertBoardMatches, expectedBoard, readBoard } from '../support/board.js';
import { runCli } from '../support/cli.js';
import { ENGINES } from '../support/engines.js';
import { createSyncEnv, ITEMS_BOARD, type SyncEnv } from '../support/sync-env.js';

/**
 * Planners edit the board by hand; `verify` must see every such edit, name old and board
 * values, write nothing on its own, and with `--fix` re-queue exactly what the next run must
 * rewrite so the board equals the projection again. Planner edits go through monday's API,
 * as the UI does; the board is read back over HTTP.
 */

const PO_COL = 'text_mkr5ej2x';
const QTY_COL = 'numeric_mkra7j8e';

interface Finding {
  kind: string;
  order_key: string | null;
  item_id: string | null;
  size?: string;
  column_id?: string;
  expected?: string;
  board?: string;
}

interface VerifyJson {
  findings: Finding[];
  counts: Record<string, number>;
  needsAttention: number;
  requeued?: { orders: number; lines: number };
  checked: { orders: number; lines: number; boardItems: number };
}

describe.each(ENGINES.filter((e) => e !== 'pglite'))('verify and repair drift on %s', (engine) => {
  let env: SyncEnv;
  let rows: StagingRow[];

  async function planner(query: string, variables: Record<string, unknown> = {}): Promise<any> {
    const res = await fetch(env.emulator.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: env.emulator.token, 'api-version': '2026-10' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: any; errors?: unknown };
    if (body.errors) throw new Error(`planner request failed: ${JSON.stringify(body.errors)}`);
    return body.data;
  }

  async function cli(...args: string[]) {
    await env.closeDb();
    try {
      return await runCli(['--config', env.configPath, ...args], { cwd: env.dir, env: env.envVars, timeoutMs: 60_000 });
    } finally {
      await env.reopen();
    }
  }

  async function verifyJson(...args: string[]): Promise<{ code: number; json: VerifyJson }> {
    const r = await cli('verify', '--json', ...args);
    expect(r.stderr).not.toMatch(/Error:|at .*\.js:\d+/);
    return { code: r.code, json: JSON.parse(r.stdout) as VerifyJson };
  }

  const order = (key: string) => env.db.kysely.selectFrom('orders').selectAll().where('order_key', '=', key).executeTakeFirstOrThrow();
  const lines = (orderId: number) => env.db.kysely.selectFrom('order_lines').selectAll().where('order_id', '=', orderId).orderBy('size_position').execute();

  beforeAll(async () => {
    env = await createSyncEnv({ engine });
    rows = [...generateStaging({ seed: 5, orders: 24, customers: 3 }).rows];
    await env.load(rows);
    const first = await env.run();
    expect(first.status, first.verdict.summary).toBe('OK');
  });
  afterAll(async () => {
    await env?.close();
  });

  it('finds nothing on a board that ordersync just synced', async () => {
    const { code, json } = await verifyJson();
    expect(json.findings).toEqual([]);
    expect(json.checked.orders).toBeGreaterThan(10);
    expect(json.checked.lines).toBeGreaterThan(json.checked.orders);
    expect(code).toBe(0);
  });

  it('finds each planner edit with old and board values, writes nothing, and --fix + run repairs the board', async () => {
    const synced = await env.db.kysely
      .selectFrom('orders')
      .select(['id', 'order_key', 'monday_item_id', 'monday_group_id'])
      .where('sync_state', '=', 'SYNCED')
      .where('is_cancelled', '=', 0)
      .orderBy('id')
      .execute();
    const withTwoLines: typeof synced = [];
    for (const o of synced) if ((await lines(o.id)).filter((l) => l.monday_subitem_id).length >= 2) withTwoLines.push(o);
    expect(withTwoLines.length).toBeGreaterThanOrEqual(6);
    type Synced = (typeof synced)[number];
    const [edited, deleted, moved, requantified, lostSubitem, archived] = withTwoLines as [Synced, Synced, Synced, Synced, Synced, Synced];
    const poBefore = ((await order(edited.order_key)).fields_json && JSON.parse((await order(edited.order_key)).fields_json)['PO NUMBER']) as string;

    // A planner at work.
    await planner('mutation ($b: ID!, $i: ID!, $c: String!, $v: String!) { change_simple_column_value(board_id: $b, item_id: $i, column_id: $c, value: $v) { id } }', {
      b: ITEMS_BOARD,
      i: edited.monday_item_id,
      c: PO_COL,
      v: 'PO-BY-HAND',
    });
    await planner('mutation ($i: ID!) { delete_item(item_id: $i) { id } }', { i: deleted.monday_item_id });
    await planner('mutation ($i: ID!) { archive_item(item_id: $i) { id } }', { i: archived.monday_item_id });
    const otherGroup = synced.find((o) => o.monday_group_id !== moved.monday_group_id)?.monday_group_id as string;
    await planner('mutation ($i: ID!, $g: String!) { move_item_to_group(item_id: $i, group_id: $g) { id } }', { i: moved.monday_item_id, g: otherGroup });
    const [qLine] = (await lines(requantified.id)).filter((l) => l.monday_subitem_id);
    const subBoard = env.cfg.settings.monday.subitems_board_id ?? (await planner('query ($i: [ID!]) { items(ids: $i) { board { id } } }', { i: [qLine?.monday_subitem_id] })).items[0].board.id;
    await planner('mutation ($b: ID!, $i: ID!, $c: String!, $v: String!) { change_simple_column_value(board_id: $b, item_id: $i, column_id: $c, value: $v) { id } }', {
      b: subBoard,
      i: qLine?.monday_subitem_id,
      c: QTY_COL,
      v: '1',
    });
    const [gone] = (await lines(lostSubitem.id)).filter((l) => l.monday_subitem_id);
    await planner('mutation ($i: ID!) { delete_item(item_id: $i) { id } }', { i: gone?.monday_subitem_id });
    const stray = await planner('mutation ($b: ID!) { create_item(board_id: $b, item_name: "made by hand", column_values: "{\\"text_mkr5wya6\\":\\"NOT-AN-ORDER\\"}") { id } }', { b: ITEMS_BOARD });

    const statesBefore = await env.db.kysely.selectFrom('orders').select(['order_key', 'sync_state', 'action', 'synced_fields_json']).orderBy('id').execute();
    const { code, json } = await verifyJson();
    expect(code).toBe(2);
    const find = (kind: string, key: string | null) => json.findings.filter((f) => f.kind === kind && f.order_key === key);
    expect(find('column_changed', edited.order_key)).toEqual([expect.objectContaining({ column_id: PO_COL, expected: poBefore, board: 'PO-BY-HAND' })]);
    expect(find('item_missing', deleted.order_key)).toEqual([expect.objectContaining({ board: 'deleted' })]);
    expect(find('item_missing', archived.order_key)).toEqual([expect.objectContaining({ board: 'archived' })]);
    expect(find('wrong_group', moved.order_key)).toHaveLength(1);
    expect(find('qty_changed', requantified.order_key)).toEqual([expect.objectContaining({ size: qLine?.size, expected: String(qLine?.synced_qty), board: '1' })]);
    expect(find('subitem_missing', lostSubitem.order_key)).toEqual([expect.objectContaining({ size: gone?.size })]);
    expect(json.findings.filter((f) => f.kind === 'unknown_item')).toEqual([expect.objectContaining({ item_id: stray.create_item.id, order_key: 'NOT-AN-ORDER' })]);
    expect(json.findings).toHaveLength(7);
    // Read-only: not a single row changed.
    expect(await env.db.kysely.selectFrom('orders').select(['order_key', 'sync_state', 'action', 'synced_fields_json']).orderBy('id').execute()).toEqual(statesBefore);

    // Repair: re-queue, then the ordinary run rewrites exactly that.
    const fix = await verifyJson('--fix');
    // Where people look: status and the report name the findings and the planner edit the fix overwrote.
    const status = await cli('status');
    expect(status.stdout).toMatch(/board +last checked by run #\d+: 7 finding\(s\) \([^)]*column_changed 1[^)]*\); `ordersync verify` lists them; 1 planner edit\(s\) overwritten/);
    const report = await cli('report', '--format', 'md');
    expect(report.stdout).toMatch(/the board differs from the database: 7 finding\(s\)/);
    expect(report.stdout).toMatch(/1 planner edit\(s\) overwritten by verify --fix/);
    expect(fix.json.requeued).toEqual({ orders: 4, lines: 2 + (await lines(deleted.id)).length + (await lines(archived.id)).length });
    expect(fix.code, 'an item without an order still needs a person').toBe(2);
    const plan = await cli('plan', '--json');
    expect(JSON.parse(plan.stdout).backlog).toEqual({ orders: 4, lines: fix.json.requeued?.lines });

    const repair = await env.run();
    expect(repair.status, repair.verdict.summary).toBe('OK');
    expect(repair.sync?.counts.items_created).toBe(2);
    const after = await verifyJson();
    expect(after.json.findings.map((f) => f.kind)).toEqual(['unknown_item']);
    await planner('mutation ($i: ID!) { delete_item(item_id: $i) { id } }', { i: stray.create_item.id });
    assertBoardMatches(await readBoard(env.emulator, ITEMS_BOARD), expectedBoard(rows, env.cfg.settings), `${engine} after verify --fix + run`);
    expect((await verifyJson()).code).toBe(0);
  });

  it('the repair is journaled, so rolling back its run puts the planner edit back', async () => {
    const events = await env.db.kysely.selectFrom('sync_events').select(['operation', 'before_json']).where('run_id', '=', (await env.db.kysely.selectFrom('sync_runs').select('id').where('command', '=', 'run').orderBy('id', 'desc').executeTakeFirstOrThrow()).id).execute();
    const po = events.find((e) => e.operation === 'update_item' && e.before_json?.includes('PO-BY-HAND'));
    expect(po, 'the overwritten planner value is in the journal').toBeDefined();
  });

  it('the post-run proof reads back what the run wrote: a board that lost a write makes the run degraded, not OK', async () => {
    const changed = rows.filter((r) => r['ORDER TYPE'] !== 'CANCELLED').slice(0, 3);
    for (const r of changed) r['PO NUMBER'] = `${String(r['PO NUMBER'] ?? '')}-R2`;
    await env.load(rows);
    const itemOf = async (key: string) => (await order(key)).monday_item_id as string;
    const target = await itemOf(changed[0]?.['AAG ORDER NUMBER'] as string);
    let tampered = false;
    // Between the answer and the read-back, the board loses what it acknowledged.
    const result = await env.run({
      progress: (phase) => {
        if (phase !== 'items' || tampered) return;
        const item = env.emulator.store.items.get(target);
        if (item && item.name !== 'renamed behind our back') {
          env.emulator.store.rename(item, 'renamed behind our back');
          tampered = true;
        }
      },
    });
    expect(tampered).toBe(true);
    expect(result.sync?.counts.items_updated).toBeGreaterThanOrEqual(3);
    expect(result.status, result.verdict.summary).toBe('DEGRADED');
    expect(result.verdict.summary).toMatch(/board check: 1 difference/);
    expect(result.proof?.counts.name_changed).toBe(1);
    expect(result.proof?.checked.orders).toBeGreaterThanOrEqual(3);
    const record = await env.db.kysely.selectFrom('sync_runs').selectAll().where('id', '=', result.runId).executeTakeFirstOrThrow();
    expect(record.status).toBe('DEGRADED');
    expect(JSON.parse(record.counts_json).verify.findings).toEqual([expect.objectContaining({ kind: 'name_changed', item_id: target, board: 'renamed behind our back' })]);
    const metrics = await createMetrics(env.db, env.cfg.envName).scrape();
    expect(metrics).toMatch(/ordersync_drift_findings\{[^}]*kind="name_changed"[^}]*\} 1/);
    expect(metrics).toMatch(/ordersync_drift_findings\{[^}]*kind="item_missing"[^}]*\} 0/);

    // Repaired the normal way, the next run is OK and says the board was checked.
    expect((await verifyJson('--fix')).code).toBe(0);
    const next = await env.run();
    expect(next.status, next.verdict.summary).toBe('OK');
    expect(next.verdict.summary).toMatch(/board checked: 1 items read back/);
    assertBoardMatches(await readBoard(env.emulator, ITEMS_BOARD), expectedBoard(rows, env.cfg.settings), `${engine} after the proof's repair`);
  });

  it('--limit refuses what is not a positive integer', async () => {
    const r = await cli('verify', '--limit', 'abc');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/--limit needs a positive integer/);
  });
});

