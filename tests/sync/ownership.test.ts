import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStaging, type StagingRow } from '../../src/sampledata/index.js';
import { runCli } from '../support/cli.js';
import { ENGINES } from '../support/engines.js';
import { createSyncEnv, ITEMS_BOARD, type SyncEnv } from '../support/sync-env.js';

const KEY = 'AAG ORDER NUMBER';
const PO_COL = 'text_mkr5ej2x';
const NOTES_COL = 'long_text_mkr5hass';
const FOB_COL = 'numeric_mkr5nhr7';

/**
 * A board-owned column (PO NUMBER here) is written when the item is created and never after: a
 * planner's value in it is no drift, is read back into the order row (and the documented view),
 * and neither a staged change nor a repair overwrites it. A column only on the board
 * ([mapping.read_back]) is read back the same way.
 */
describe.each(ENGINES.filter((e) => e !== 'pglite'))('column ownership on %s', (engine) => {
  let env: SyncEnv;
  let rows: StagingRow[];

  beforeAll(async () => {
    env = await createSyncEnv({
      engine,
      patchConfig: (toml) =>
        toml.replace('line_delete_policy = "zero"', `line_delete_policy = "zero"\nowners = { "${PO_COL}" = "board" }\nread_back = { "PLANNER NOTES" = "${NOTES_COL}" }`),
    });
    rows = [...generateStaging({ seed: 11, orders: 8, customers: 2, mess: { duplicateShare: 0, cancelledShare: 0, emptyKeyShare: 0, blankRowShare: 0 } }).rows];
    await env.load(rows);
    const first = await env.run();
    expect(first.status, first.verdict.summary).toBe('OK');
  });
  afterAll(async () => {
    await env?.close();
  });

  async function cli(...args: string[]) {
    await env.closeDb();
    try {
      return await runCli(['--config', env.configPath, ...args], { cwd: env.dir, env: env.envVars, timeoutMs: 60_000 });
    } finally {
      await env.reopen();
    }
  }

  async function planner(query: string, variables: Record<string, unknown>): Promise<void> {
    const res = await fetch(env.emulator.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: env.emulator.token, 'api-version': '2026-10' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
  }
  const set = (item: string, column: string, value: string) =>
    planner('mutation ($b: ID!, $i: ID!, $c: String!, $v: String!) { change_simple_column_value(board_id: $b, item_id: $i, column_id: $c, value: $v) { id } }', { b: ITEMS_BOARD, i: item, c: column, v: value });
  const orderOf = (key: string) => env.db.kysely.selectFrom('orders').selectAll().where('order_key', '=', key).executeTakeFirstOrThrow();
  const boardText = (item: string, column: string) => {
    const data = env.emulator.store.items.get(item)?.values.get(column)?.data as unknown;
    return typeof data === 'object' && data !== null ? (data as { text?: string }).text : data;
  };

  it('a planner edit of a board-owned column is read back, not drift, and never overwritten', async () => {
    const target = rows[0] as StagingRow;
    const key = String(target[KEY]);
    const item = (await orderOf(key)).monday_item_id as string;
    expect(boardText(item, PO_COL), 'written at creation').toBe(String(target['PO NUMBER']));
    expect(JSON.parse((await orderOf(key)).board_values_json as string), 'read back by the post-run proof').toMatchObject({ 'PO NUMBER': String(target['PO NUMBER']) });

    await set(item, PO_COL, 'PO-BY-PLANNER');
    await set(item, NOTES_COL, 'call the supplier');
    const check = await cli('verify', '--json');
    const json = JSON.parse(check.stdout) as { findings: unknown[]; readBack: number };
    expect(json.findings, 'a board-owned column is the planner\'s').toEqual([]);
    expect(json.readBack).toBe(1);
    expect(check.code).toBe(0);
    const fix = await cli('verify', '--fix', '--yes', '--json');
    expect(fix.code, fix.stderr).toBe(0);
    const row = await orderOf(key);
    expect(JSON.parse(row.board_values_json as string)).toEqual({ 'PO NUMBER': 'PO-BY-PLANNER', 'PLANNER NOTES': 'call the supplier' });
    expect(row.sync_state, 'reading back queues nothing').toBe('SYNCED');

    // The documented view: one row per order and name.
    const view = `${env.cfg.settings.database.tables.orders}_board_values`;
    const viewRows = await sql<{ order_key: string; name: string; value: string }>`select order_key, name, value from ${sql.table(view)} where order_key = ${key} order by name`.execute(env.db.kysely);
    expect(viewRows.rows).toEqual([
      { order_key: key, name: 'PLANNER NOTES', value: 'call the supplier' },
      { order_key: key, name: 'PO NUMBER', value: 'PO-BY-PLANNER' },
    ]);

    // Staging changes the PO (board-owned) and the FOB (db-owned): only the FOB is sent.
    const changed = rows.map((r) => (r === target ? { ...r, 'PO NUMBER': 'PO-FROM-STAGING', 'FINAL FOB (USD)': 123.45 } : r));
    await env.load(changed);
    const run = await env.run();
    expect(run.status, run.verdict.summary).toBe('OK');
    expect(run.sync?.counts.items_updated).toBe(1);
    expect(boardText(item, PO_COL), 'never overwritten').toBe('PO-BY-PLANNER');
    expect(Number(boardText(item, FOB_COL))).toBe(123.45);
    const update = await env.db.kysely.selectFrom('sync_events').select('after_json').where('run_id', '=', run.runId).where('operation', '=', 'update_item').executeTakeFirstOrThrow();
    expect(Object.keys(JSON.parse(update.after_json as string).columns)).not.toContain(PO_COL);

    // A staged change to the board-owned column alone queues nothing (it is not in the row hash).
    await env.load(changed.map((r) => (r[KEY] === key ? { ...r, 'PO NUMBER': 'PO-AGAIN' } : r)));
    const quiet = await env.run();
    expect(quiet.merge?.counts.updated ?? 0).toBe(0);
    expect(quiet.sync?.stats.mutations ?? 0).toBe(0);
  });

  it('refuses a board-owned key column, naming the key', async () => {
    const bad = env.configPath.replace(/ordersync\.toml$/, 'bad.toml');
    const { readFileSync, writeFileSync } = await import('node:fs');
    writeFileSync(bad, readFileSync(env.configPath, 'utf8').replace(`owners = { "${PO_COL}" = "board" }`, `owners = { "text_mkr5wya6" = "board" }`), { mode: 0o600 });
    await env.closeDb();
    try {
      const r = await runCli(['--config', bad, 'run'], { cwd: env.dir, env: env.envVars, timeoutMs: 60_000 });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/mapping\.owners\.text_mkr5wya6: column text_mkr5wya6 holds the business key/);
    } finally {
      await env.reopen();
    }
  });
});
