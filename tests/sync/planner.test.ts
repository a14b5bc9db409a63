import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { starterConfig } from '../../src/config/starter.js';
import type { BoardSnapshot } from '../../src/monday/board-schema.js';
import { resolveBoards } from '../../src/sync/context.js';
import { planBoard, type PlannedLineRow, type PlannedOrderRow } from '../../src/sync/planner.js';

/** The starter settings with a two-column mapping, so the boards below are the whole picture. */
function settings() {
  const dir = mkdtempSync(join(tmpdir(), 'planner-'));
  writeFileSync(join(dir, 'ordersync.toml'), starterConfig());
  const s = structuredClone(loadConfig({ path: join(dir, 'ordersync.toml'), envVars: {} }).settings);
  s.mapping.columns = { 'AAG ORDER NUMBER': 'text_key', 'CUSTOMER NAME': 'text_customer' };
  s.mapping.size_column_id = 'text_size';
  s.mapping.qty_column_id = 'numbers_qty';
  s.mapping.line_delete_policy = 'zero';
  s.cancel.status_column_id = undefined;
  s.cancel.move_to_group = 'Cancelled orders';
  return s;
}

const board = (id: string, columns: Array<[string, string]>, groups: Array<[string, string]>): BoardSnapshot => ({
  board_id: id,
  name: `board ${id}`,
  fetched_at: '2026-12-01T00:00:00.000Z',
  api_version: '2026-10',
  columns: columns.map(([cid, type]) => ({ id: cid, title: cid, type })),
  groups: groups.map(([gid, title]) => ({ id: gid, title })),
});

const synced = (customer: string, group: string) => JSON.stringify({ fields: { 'AAG ORDER NUMBER': null, 'CUSTOMER NAME': customer }, group, name: 'x', cancelled: false });

function order(id: number, o: Partial<PlannedOrderRow>): PlannedOrderRow {
  const key = `PO-${id}`;
  return {
    id,
    order_key: key,
    key_values: JSON.stringify([key]),
    fields_json: JSON.stringify({ 'AAG ORDER NUMBER': null, 'CUSTOMER NAME': 'ACME' }),
    synced_fields_json: null,
    group_name: 'ACME SS27',
    item_name: 'x',
    is_cancelled: 0,
    action: 'INSERT',
    sync_state: 'PENDING',
    monday_item_id: null,
    monday_group_id: null,
    retry_count: 0,
    customer: 'ACME',
    ...o,
  };
}

function line(id: number, o: PlannedOrderRow, l: Partial<PlannedLineRow>): PlannedLineRow {
  return { id, order_id: o.id, size: 'M', size_position: 0, qty: 5, synced_qty: null, action: 'INSERT', monday_subitem_id: null, retry_count: 0, order_key: o.order_key, parent_id: o.monday_item_id, is_cancelled: o.is_cancelled, sync_state: 'PENDING', ...l };
}

describe('the sync planner (no database, no HTTP)', () => {
  const s = settings();
  const items = board('1', [['text_key', 'text'], ['text_customer', 'text']], [['g_acme', 'ACME SS27'], ['g_cancel', 'Cancelled orders']]);
  const subitems = board('2', [['text_size', 'text'], ['numbers_qty', 'numbers']], []);
  const ctx = { ...resolveBoards(s, { items, subitems }), s, now: () => '2026-12-01T00:00:00.000Z' };
  const known = new Map(items.groups.map((g) => [g.title, g.id]));

  const created = order(1, { group_name: 'NEWCO SS27', fields_json: JSON.stringify({ 'AAG ORDER NUMBER': null, 'CUSTOMER NAME': 'NEWCO' }) });
  const moved = order(2, { action: 'UPDATE', monday_item_id: '102', monday_group_id: 'g_acme', group_name: 'ACME FW27', synced_fields_json: synced('ACME', 'ACME SS27') });
  const cancelled = order(3, { action: 'CANCEL', is_cancelled: 1, monday_item_id: '103', monday_group_id: 'g_acme', synced_fields_json: synced('ACME', 'ACME SS27') });
  const unchanged = order(4, { action: 'UPDATE', monday_item_id: '104', monday_group_id: 'g_acme', synced_fields_json: synced('ACME', 'ACME SS27') });
  const skipped = order(5, { action: 'NONE', sync_state: 'SKIPPED', is_cancelled: 1 });
  const orders = [created, moved, cancelled, unchanged, skipped];
  const lines = [
    line(11, created, {}),
    line(12, moved, { action: 'UPDATE', qty: 7, synced_qty: 5, monday_subitem_id: '202' }),
    line(13, cancelled, { action: 'UPDATE', synced_qty: 5, monday_subitem_id: '203' }),
    line(14, unchanged, { action: 'UPDATE', synced_qty: 5, monday_subitem_id: '204', sync_state: 'SYNCED' }),
    line(15, unchanged, { size: 'L', action: 'DELETE', qty: 0, synced_qty: 3, monday_subitem_id: '205' }),
    line(16, skipped, {}),
  ];
  const plan = planBoard(ctx, orders, lines, known);

  it('decides each order as the run does: create, a move (its only mutation), cancel into its group, nothing to send; skipped orders are not visited', () => {
    expect(plan.items.map((i) => [i.key, i.operation, i.group, i.mutations])).toEqual([
      ['PO-1', 'create_item', 'NEWCO SS27', 1],
      ['PO-2', 'update_item', 'ACME FW27', 1],
      ['PO-3', 'cancel_item', 'Cancelled orders', 1],
      ['PO-4', 'unchanged', 'ACME SS27', 0],
    ]);
    expect(plan.groupsToCreate).toEqual(['NEWCO SS27', 'ACME FW27']);
  });

  it('plans the lines of orders on the board by the end of the items phase, with their quantities', () => {
    expect(plan.lines.map((l) => [l.key, l.size, l.operation, l.from, l.to])).toEqual([
      ['PO-1', 'M', 'create_subitem', null, 5],
      ['PO-2', 'M', 'update_subitem', 5, 7],
      ['PO-3', 'M', 'zero_subitem', 5, 0],
      ['PO-4', 'L', 'zero_subitem', 3, 0],
    ]);
    expect(plan.counts).toMatchObject({ groups_created: 2, items_created: 1, items_updated: 1, items_cancelled: 1, items_unchanged: 1, subitems_created: 1, subitems_updated: 1, subitems_zeroed: 2 });
  });
});
