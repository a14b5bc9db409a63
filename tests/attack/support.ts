import type { ChildProcess } from 'node:child_process';
import { expect } from 'vitest';
import { generateStaging, type StagingRow } from '../../src/sampledata/index.js';
import { readBoard, type ExpectedBoard } from '../support/board.js';
import { runCli, spawnCli, type CliResult } from '../support/cli.js';
import { assertConverged, ITEMS_BOARD, SUBITEMS_BOARD, type RelEnv } from '../reliability/support/env.js';

export { ITEMS_BOARD, SUBITEMS_BOARD };

/** The PO column (db-owned) and the subitems' quantity column of the fixture boards. */
export const PO_COL = 'text_mkr5ej2x';
export const QTY_COL = 'numeric_mkra7j8e';

export const cli = (e: RelEnv, args: string[]): Promise<CliResult> => runCli(['--config', e.configPath, ...args], { cwd: e.dir, env: e.envVars, timeoutMs: 90_000 });
export const spawn = (e: RelEnv, args: string[]): ChildProcess => spawnCli(['--config', e.configPath, ...args], { cwd: e.dir, env: e.envVars });
export const staging = (seed: number, orders: number): StagingRow[] => [...generateStaging({ seed, orders, customers: 2, mess: false }).rows];

/** The planner's user id: another user than ordersync's token, so the activity log tells them apart. */
const PLANNER = '9000000077';

/** A planner at the board: a GraphQL request over HTTP as another user (the emulator's as-user route). */
export async function planner(e: RelEnv, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await fetch(e.emulator.url.replace(/\/v2$/, '/__emulator/as-user'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: e.emulator.token },
    body: JSON.stringify({ user_id: PLANNER, query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(`planner request failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** item_archived is not one of the default kinds (EDIT_KINDS), whose findings the planner-edits suite counts. */
export type EditKind = 'name_changed' | 'wrong_group' | 'item_missing' | 'item_archived' | 'subitem_missing' | 'column_changed' | 'qty_changed';
export const EDIT_KINDS: EditKind[] = ['name_changed', 'wrong_group', 'item_missing', 'subitem_missing', 'column_changed', 'qty_changed'];

export interface Edit {
  kind: EditKind;
  orderKey: string;
  size?: string;
}

/**
 * One planner edit of each kind, each on its own synced order with at least two subitems:
 * rename, move to another group, delete the item, delete a subitem, overwrite the db-owned PO
 * column, change a quantity.
 */
export async function plannerEdits(e: RelEnv, kinds: readonly EditKind[] = EDIT_KINDS): Promise<Edit[]> {
  const orders = await e.db.kysely
    .selectFrom('orders')
    .select(['id', 'order_key', 'monday_item_id', 'monday_group_id'])
    .where('sync_state', '=', 'SYNCED')
    .where('is_cancelled', '=', 0)
    .where('monday_item_id', 'is not', null)
    .orderBy('id')
    .execute();
  const candidates: Array<(typeof orders)[number] & { lines: Array<{ size: string; monday_subitem_id: string | null }> }> = [];
  for (const o of orders) {
    const lines = await e.db.kysely.selectFrom('order_lines').select(['size', 'monday_subitem_id']).where('order_id', '=', o.id).where('monday_subitem_id', 'is not', null).orderBy('size_position').execute();
    if (lines.length >= 2) candidates.push({ ...o, lines });
  }
  expect(candidates.length, 'orders with two subitems to edit').toBeGreaterThanOrEqual(kinds.length);
  const edits: Edit[] = [];
  for (const [i, kind] of kinds.entries()) {
    const o = candidates[i]!;
    const line = o.lines[0]!;
    if (kind === 'name_changed') {
      await planner(e, 'mutation ($b: ID!, $i: ID!, $v: JSON!) { change_multiple_column_values(board_id: $b, item_id: $i, column_values: $v) { id } }', { b: ITEMS_BOARD, i: o.monday_item_id, v: JSON.stringify({ name: 'renamed by a planner' }) });
    } else if (kind === 'wrong_group') {
      const other = orders.find((x) => x.monday_group_id !== o.monday_group_id)?.monday_group_id;
      expect(other, 'a second group to move an item to').toBeTruthy();
      await planner(e, 'mutation ($i: ID!, $g: String!) { move_item_to_group(item_id: $i, group_id: $g) { id } }', { i: o.monday_item_id, g: other });
    } else if (kind === 'item_missing') {
      await planner(e, 'mutation ($i: ID!) { delete_item(item_id: $i) { id } }', { i: o.monday_item_id });
    } else if (kind === 'item_archived') {
      await planner(e, 'mutation ($i: ID!) { archive_item(item_id: $i) { id } }', { i: o.monday_item_id });
    } else if (kind === 'subitem_missing') {
      await planner(e, 'mutation ($i: ID!) { delete_item(item_id: $i) { id } }', { i: line.monday_subitem_id });
    } else if (kind === 'column_changed') {
      await planner(e, 'mutation ($b: ID!, $i: ID!, $c: String!, $v: String!) { change_simple_column_value(board_id: $b, item_id: $i, column_id: $c, value: $v) { id } }', { b: ITEMS_BOARD, i: o.monday_item_id, c: PO_COL, v: 'PO-BY-HAND' });
    } else {
      await planner(e, 'mutation ($b: ID!, $i: ID!, $c: String!, $v: String!) { change_simple_column_value(board_id: $b, item_id: $i, column_id: $c, value: $v) { id } }', { b: SUBITEMS_BOARD, i: line.monday_subitem_id, c: QTY_COL, v: '9999' });
    }
    edits.push({ kind, orderKey: o.order_key, ...(kind === 'subitem_missing' || kind === 'qty_changed' ? { size: line.size } : {}) });
  }
  return edits;
}

export interface Finding {
  kind: string;
  order_key: string | null;
  size?: string;
}

export interface VerifyJson {
  findings: Finding[];
  needsAttention: number;
  checked: { orders: number; lines: number; boardItems: number };
  queued: { orders: number; lines: number };
}

/** `ordersync verify --json`, read-only: its exit code and findings. */
export async function verifyJson(e: RelEnv): Promise<{ code: number; json: VerifyJson; stderr: string }> {
  const r = await cli(e, ['verify', '--json']);
  expect(r.stderr, 'no stack trace').not.toMatch(/\n\s+at .*:\d+/);
  return { code: r.code, json: JSON.parse(r.stdout) as VerifyJson, stderr: r.stderr };
}

/** Keys of orders and (order, size) of lines queued for the next run. */
export async function queued(e: RelEnv): Promise<{ orders: Set<string>; lines: Set<string> }> {
  const orders = await e.db.kysely.selectFrom('orders').select('order_key').where('sync_state', 'in', ['PENDING', 'IN_FLIGHT']).execute();
  const lines = await e.db.kysely
    .selectFrom('order_lines as l')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .select(['o.order_key', 'l.size'])
    .where('l.sync_state', 'in', ['PENDING', 'IN_FLIGHT'])
    .execute();
  return { orders: new Set(orders.map((o) => o.order_key)), lines: new Set(lines.map((l) => `${l.order_key}/${l.size}`)) };
}

/** After the operator's commands: the board equals the projection, no duplicate, nothing left queued. */
export async function assertHonestBoard(e: RelEnv, rows: StagingRow[], label: string, opts: { previous?: ExpectedBoard } = {}): Promise<void> {
  await assertConverged(e, rows, label, opts);
  const view = await readBoard(e.emulator, ITEMS_BOARD);
  expect([...view.duplicateKeys.keys()], `${label}: no key on two items`).toEqual([]);
  const q = await queued(e);
  expect([...q.orders, ...q.lines], `${label}: nothing left queued`).toEqual([]);
}

