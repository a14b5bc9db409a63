import { describe, expect, it } from 'vitest';
import { createItem, emulator, ITEMS_BOARD } from './harness.js';

describe('mutations', () => {
  it('runs aliases in order and fails them one by one, keeping the others', async () => {
    const emu = await emulator();
    const r = await emu.gql(`mutation {
      a: create_item(board_id: ${ITEMS_BOARD}, item_name: "SO-1") { id }
      b: create_item(board_id: ${ITEMS_BOARD}, item_name: "SO-2", column_values: "{\\"text_zzz\\":\\"x\\"}") { id }
      c: create_item(board_id: ${ITEMS_BOARD}, item_name: "SO-3") { id }
    }`);
    expect(r.status).toBe(200);
    expect(r.body.data.b).toBeNull();
    expect(Number(r.body.data.c.id)).toBeGreaterThan(Number(r.body.data.a.id));
    expect(r.body.errors).toEqual([expect.objectContaining({ path: ['b'], extensions: expect.objectContaining({ code: 'InvalidColumnIdException' }) })]);
    expect([...emu.store.boards.get(ITEMS_BOARD)!.items.values()].map((i) => i.name)).toEqual(['SO-1', 'SO-3']);
  });

  it('answers a missing board, item or group with the documented errors', async () => {
    const emu = await emulator();
    const id = await createItem(emu.gql, 'SO-1');
    const board = await emu.gql('mutation { create_item(board_id: 123, item_name: "x") { id } }');
    expect(board.body.errors[0].extensions).toMatchObject({ code: 'InvalidBoardIdException', error_data: { board_id: 123 } });
    const item = await emu.gql(`mutation { change_simple_column_value(board_id: ${ITEMS_BOARD}, item_id: 42, column_id: "text_mkr5ej2x", value: "x") { id } }`);
    expect(item.body.errors[0].extensions.code).toBe('ResourceNotFoundException');
    const group = await emu.gql(`mutation { create_item(board_id: ${ITEMS_BOARD}, item_name: "x", group_id: "nope") { id } }`);
    expect(group.body.errors[0].extensions).toMatchObject({ code: 'ResourceNotFoundException', error_data: { group_id: 'nope' } });
    const move = await emu.gql(`mutation { move_item_to_group(item_id: ${id}, group_id: "nope") { id } }`);
    expect(move.body.errors[0].extensions.code).toBe('ResourceNotFoundException');
  });

  it('creates groups and moves items between them', async () => {
    const emu = await emulator();
    const g = await emu.gql(`mutation { create_group(board_id: ${ITEMS_BOARD}, group_name: "FW25 NORTHWIND") { id title } }`);
    const groupId = g.body.data.create_group.id;
    expect(groupId).toMatch(/^group_mk/);
    const top = await emu.gql(`{ boards(ids: [${ITEMS_BOARD}]) { top_group { id } groups { id } } }`);
    expect(top.body.data.boards[0].top_group.id).toBe(groupId);
    const id = await createItem(emu.gql, 'SO-1');
    const moved = await emu.gql(`mutation { move_item_to_group(item_id: ${id}, group_id: "group_mkr5cncl") { group { id title } } }`);
    expect(moved.body.data.move_item_to_group.group).toEqual({ id: 'group_mkr5cncl', title: 'Cancelled Orders' });
  });

  it('archives and deletes items with their subitems; items(ids) still shows their state', async () => {
    const emu = await emulator();
    const a = await createItem(emu.gql, 'SO-1');
    const sub = await emu.gql(`mutation { create_subitem(parent_item_id: ${a}, item_name: "M") { id } }`);
    const subId = sub.body.data.create_subitem.id;
    const b = await createItem(emu.gql, 'SO-2');
    await emu.gql(`mutation { archive_item(item_id: ${a}) { id state } }`);
    await emu.gql(`mutation { delete_item(item_id: ${b}) { id } }`);
    expect(emu.store.items.get(subId)!.state).toBe('archived');
    const byId = await emu.gql(`{ items(ids: [${a}, ${b}, ${subId}]) { id state } }`);
    expect(byId.body.data.items.map((i: any) => i.state)).toEqual(['archived', 'deleted', 'archived']);
    const active = await emu.gql(`{ items(ids: [${a}, ${b}], exclude_nonactive: true) { id } }`);
    expect(active.body.data.items).toEqual([]);
    const page = await emu.gql(`{ boards(ids: [${ITEMS_BOARD}]) { items_page { items { id } } } }`);
    expect(page.body.data.boards[0].items_page.items).toEqual([]);
    const again = await emu.gql(`mutation { archive_item(item_id: ${b}) { id } }`);
    expect(again.body.errors[0].extensions.code).toBe('ResourceNotFoundException');
  });

  it('bulk-archives items and restores them with undo_action', async () => {
    const emu = await emulator();
    const ids = [await createItem(emu.gql, 'SO-1'), await createItem(emu.gql, 'SO-2')];
    const r = await emu.gql(`mutation ($ids: [ID!]!) { bulk_archive_items(board_id: ${ITEMS_BOARD}, item_ids: $ids) { job_id } }`, { ids });
    const job = r.body.data.bulk_archive_items.job_id;
    expect(ids.map((id) => emu.store.items.get(id)!.state)).toEqual(['archived', 'archived']);
    const status = await emu.gql(`{ job_status(job_id: ${job}) { status } }`);
    expect(status.body.data.job_status.status).toBe('COMPLETED');
    const undo = await emu.gql(`mutation { undo_action(job_id: ${job}) { success message } }`);
    expect(undo.body.data.undo_action.success).toBe(true);
    expect(ids.map((id) => emu.store.items.get(id)!.state)).toEqual(['active', 'active']);
  });

  it('sets a board up through the API: create_board, create_column, first subitem creates the subitems board', async () => {
    const emu = await emulator({ seed: undefined });
    const b = await emu.gql('mutation { create_board(board_name: "Rehearsal", board_kind: private) { id type top_group { id } } }');
    const board = b.body.data.create_board.id;
    expect(Number(board)).toBeGreaterThan(9_000_000_000);
    const col = await emu.gql(`mutation { create_column(board_id: ${board}, title: "Status", column_type: status, defaults: "{\\"labels\\":{\\"1\\":\\"Done\\",\\"7\\":\\"Late\\"}}") { id type settings } }`);
    expect(col.body.data.create_column.id).toMatch(/^color_mk/);
    expect(col.body.data.create_column.settings.labels.map((l: any) => [l.id, l.label])).toEqual([[1, 'Done'], [7, 'Late']]);
    const item = await createItem(emu.gql, 'one', { [col.body.data.create_column.id]: { index: 7 } }, board);
    const sub = await emu.gql(`mutation { create_subitem(parent_item_id: ${item}, item_name: "child") { board { id type } } }`);
    const subBoard = sub.body.data.create_subitem.board;
    expect(subBoard.type).toBe('sub_items_board');
    const cols = await emu.gql(`{ boards(ids: [${board}]) { columns(types: [subtasks]) { settings } } }`);
    expect(cols.body.data.boards[0].columns[0].settings.boardIds).toEqual([Number(subBoard.id)]);
  });

  it('reports items_limit and refuses items past it', async () => {
    const emu = await emulator({ limits: { itemsPerBoard: 2 } });
    await createItem(emu.gql, 'a');
    await createItem(emu.gql, 'b');
    const r = await emu.gql(`mutation { create_item(board_id: ${ITEMS_BOARD}, item_name: "c") { id } }`);
    expect(r.body.errors[0].extensions.code).toBe('ItemsLimitationException');
  });
});
