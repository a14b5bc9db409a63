import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { starterConfig } from '../../src/config/starter.js';
import type { BoardSnapshot } from '../../src/monday/board-schema.js';
import { completed } from '../../src/sync/applier.js';
import { resolveBoards } from '../../src/sync/context.js';
import { plannedLabels } from '../../src/sync/labels.js';
import type { Decision, Unit } from '../../src/sync/operations.js';
import { planItem } from '../../src/sync/plan-items.js';
import { planLine } from '../../src/sync/plan-lines.js';
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

const sent = (d: Decision): Unit => {
  if (d.kind !== 'send') throw new Error(`expected a request, got ${JSON.stringify(d)}`);
  return d.unit;
};

describe("a planned operation's effect is data the applier completes from monday's answer", () => {
  const s = settings();
  s.mapping.line_delete_policy = 'archive';
  const items = board('1', [['text_key', 'text'], ['text_customer', 'text']], [['g_acme', 'ACME SS27']]);
  const subitems = board('2', [['text_size', 'text'], ['numbers_qty', 'numbers']], []);
  const ctx = { ...resolveBoards(s, { items, subitems }), s, now: () => '2026-12-01T00:00:00.000Z', labels: plannedLabels() };
  const groups = { ids: new Map([['ACME SS27', 'g_acme']]), errors: new Map<string, Error>() };
  const answer = (id: string) => ({ id, name: 'x', state: 'active', board: null, group: null });

  it('a created item gets the id monday answers with, on its row and in its journal row', () => {
    const unit = sent(planItem(ctx, order(1, {}), groups));
    expect(unit.outcome).toMatchObject({ answer: 'created_id', count: 'items_created', effect: { kind: 'item_created', id: 1, monday_group_id: 'g_acme' } });
    const done = completed(unit.outcome, answer('900'));
    expect(done.effect).toEqual({ kind: 'item_synced', id: 1, synced_fields_json: expect.any(String), monday_item_id: '900', monday_group_id: 'g_acme' });
    expect(done.event).toMatchObject({ order_key: 'PO-1', operation: 'create_item', outcome: 'OK', board_id: '1', monday_id: '900', before: null });
  });

  it("an archive's journal row keeps monday's job id (rollback undoes it); an update needs nothing from the answer", () => {
    const archived = sent(planItem(ctx, order(2, { action: 'ARCHIVE', monday_item_id: '102', monday_group_id: 'g_acme', synced_fields_json: synced('ACME', 'ACME SS27') }), groups));
    expect(completed(archived.outcome, { job_id: 'job-7' } as never).event.after).toEqual({ state: 'archived', job_id: 'job-7' });
    const updated = sent(planItem(ctx, order(3, { action: 'UPDATE', monday_item_id: '103', monday_group_id: 'g_acme', synced_fields_json: synced('OLDCO', 'ACME SS27') }), groups));
    expect(updated.outcome.answer).toBe('none');
    expect(completed(updated.outcome, undefined)).toEqual({ effect: updated.outcome.effect, event: updated.outcome.event });
  });

  it('a created subitem gets its id from the answer; an archived one its job id', () => {
    const o = order(4, { monday_item_id: '104' });
    const created = sent(planLine(ctx, { ...line(14, o, {}), parent_id: '104' }));
    expect(completed(created.outcome, answer('204'))).toMatchObject({ effect: { kind: 'subitem_synced', id: 14, monday_subitem_id: '204', synced_qty: 5 }, event: { monday_id: '204', after: { qty: 5, parent_id: '104' } } });
    const removed = sent(planLine(ctx, { ...line(15, o, { action: 'DELETE', qty: 0, synced_qty: 3, monday_subitem_id: '205' }), parent_id: '104' }));
    expect(removed.ops).toEqual([{ kind: 'bulk_archive_items', board_id: '2', item_ids: ['205'] }]);
    expect(completed(removed.outcome, { job_id: 'job-8' } as never)).toMatchObject({ effect: { kind: 'subitem_removed', id: 15 }, event: { operation: 'archive_subitem', after: { state: 'archived', job_id: 'job-8' } } });
  });
});

describe('the planner fails a row before any request, saying why', () => {
  const s = settings();
  s.mapping.columns = { 'AAG ORDER NUMBER': 'text_key', 'CUSTOMER NAME': 'text_customer', 'EX FACTORY': 'date_ex', 'CHANNEL': 'status_channel' };
  s.monday.create_labels = { default: false, columns: {} };
  const items = board('1', [['text_key', 'text'], ['text_customer', 'text'], ['date_ex', 'date'], ['status_channel', 'status']], [['g_acme', 'ACME SS27']]);
  const subitems = board('2', [['text_size', 'dropdown'], ['numbers_qty', 'numbers']], []);
  const ctx = { ...resolveBoards(s, { items, subitems }), s, now: () => '2026-12-01T00:00:00.000Z' };
  const fields = (f: Record<string, unknown>) => JSON.stringify({ 'AAG ORDER NUMBER': null, 'CUSTOMER NAME': 'ACME', 'EX FACTORY': null, CHANNEL: null, ...f });
  const badDate = order(1, { fields_json: fields({ 'EX FACTORY': 'banana' }) });
  const newLabel = order(2, { fields_json: fields({ CHANNEL: 'RETAIL' }) });
  const fine = order(3, { monday_item_id: '103', action: 'UPDATE', monday_group_id: 'g_acme', synced_fields_json: JSON.stringify({ fields: JSON.parse(fields({})), group: 'ACME SS27', name: 'x', cancelled: false }) });
  const plan = planBoard(ctx, [badDate, newLabel, fine], [line(13, fine, { size: 'XXL', action: 'INSERT' })], new Map([['ACME SS27', 'g_acme']]));

  it('a value its column cannot take, and a label monday may not create, fail their order; their lines wait for an item', () => {
    expect(plan.items.map((i) => [i.key, i.operation, i.mutations])).toEqual([
      ['PO-1', 'failed', 0],
      ['PO-2', 'failed', 0],
      ['PO-3', 'unchanged', 0],
    ]);
    expect(plan.items[0]?.error).toMatch(/not a date/);
    expect(plan.items[1]?.error).toContain('label "RETAIL" does not exist and label creation is off for this column (monday.create_labels)');
    expect(plan.counts).toMatchObject({ items_failed: 2, items_created: 0, items_unchanged: 1 });
  });

  it("a line whose size is not a label of the subitems board's dropdown fails, counted as the run counts it", () => {
    expect(plan.lines).toEqual([{ key: 'PO-3', size: 'XXL', operation: 'failed', from: null, to: 5, error: expect.stringContaining('label "XXL" does not exist and label creation is off') }]);
    expect(plan.counts.subitems_failed).toBe(1);
  });
});

describe("monday's status label limits, counted per plan", () => {
  const s = settings();
  s.mapping.columns = { 'AAG ORDER NUMBER': 'text_key', 'CUSTOMER NAME': 'status_customer' };
  s.monday.create_labels = { default: true, columns: {} };
  const labels = Array.from({ length: 38 }, (_, i) => ({ id: i, label: `CUSTOMER ${i}` }));
  const items = board('1', [['text_key', 'text']], [['g_acme', 'ACME SS27']]);
  items.columns.push({ id: 'status_customer', title: 'Customer', type: 'status', settings: { labels } });
  const subitems = board('2', [['text_size', 'text'], ['numbers_qty', 'numbers']], []);
  const ctx = { ...resolveBoards(s, { items, subitems }), s, now: () => '2026-12-01T00:00:00.000Z' };
  const known = new Map([['ACME SS27', 'g_acme']]);
  const customer = (id: number, name: string) => order(id, { fields_json: JSON.stringify({ 'AAG ORDER NUMBER': null, 'CUSTOMER NAME': name }) });

  it('creates labels up to the 40 a status column holds (one label once, whatever its case), then fails the orders that need more; a label over 30 characters fails', () => {
    const plan = planBoard(ctx, [customer(1, 'NEWCO'), customer(2, 'OTHERCO'), customer(3, 'newco'), customer(4, 'THIRDCO'), customer(5, 'A'.repeat(31)), customer(6, 'CUSTOMER 7')], [], known);
    expect(plan.items.map((i) => [i.key, i.operation])).toEqual([
      ['PO-1', 'create_item'],
      ['PO-2', 'create_item'],
      ['PO-3', 'create_item'],
      ['PO-4', 'failed'],
      ['PO-5', 'failed'],
      ['PO-6', 'create_item'],
    ]);
    expect(plan.items[3]?.error).toContain(`the status column already has 40 labels, monday's maximum is 40: label "THIRDCO" cannot be created`);
    expect(plan.items[4]?.error).toContain('monday status labels are at most 30 characters');
  });

  it("each plan counts only its own labels: another plan's of the same board do not fill the column", () => {
    planBoard(ctx, [customer(1, 'NEWCO'), customer(2, 'OTHERCO')], [], known);
    const next = planBoard(ctx, [customer(3, 'THIRDCO'), customer(4, 'FOURTHCO')], [], known);
    expect(next.items.map((i) => i.operation)).toEqual(['create_item', 'create_item']);
  });
});
