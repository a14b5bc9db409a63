import { describe, expect, it } from 'vitest';
import { createItem, CREATE_ITEM, emulator, ITEMS_BOARD, SUBITEMS_BOARD, type Gql } from './harness.js';

const READ = `query ($ids: [ID!]) { items(ids: $ids) { id name column_values {
  id type text value
  ... on StatusValue { index label is_done }
  ... on DropdownValue { values { id label } }
  ... on NumbersValue { number }
  ... on DateValue { date time }
  ... on ItemIdValue { item_id }
  ... on SubtasksValue { subitems_ids }
} } }`;

async function values(gql: Gql, id: string): Promise<Record<string, any>> {
  const r = await gql(READ, { ids: [id] });
  return Object.fromEntries(r.body.data.items[0].column_values.map((c: any) => [c.id, c]));
}

const CHANGE = `mutation ($board: ID!, $item: ID, $values: JSON!, $labels: Boolean) {
  change_multiple_column_values(board_id: $board, item_id: $item, column_values: $values, create_labels_if_missing: $labels) { id name }
}`;

describe('column values', () => {
  it('stores and reads back each writable type in monday formats', async () => {
    const emu = await emulator();
    const id = await createItem(emu.gql, 'SO-100', {
      text_mkr5wya6: 'SO-100',
      long_text_mktdy7re: { text: 'NAVY / WHITE' },
      numeric_mktb1d19: '1200',
      numeric_mkr5nhr7: '12.50',
      date_mkr5zp5: { date: '2026-06-15', time: '09:30:00' },
      color_mkr5j5pp: { label: 'OPEN' },
      dropdown_mkr518fc: { labels: ['RECEIVED'] },
      dropdown_mkr542p2: { ids: [1] },
    });
    const v = await values(emu.gql, id);
    expect(v.text_mkr5wya6).toMatchObject({ type: 'text', text: 'SO-100', value: '"SO-100"' });
    expect(v.long_text_mktdy7re.text).toBe('NAVY / WHITE');
    expect(JSON.parse(v.long_text_mktdy7re.value)).toMatchObject({ text: 'NAVY / WHITE', changed_at: expect.any(String) });
    expect(v.numeric_mktb1d19).toMatchObject({ text: '1200', value: '"1200"', number: 1200 });
    expect(v.numeric_mkr5nhr7.number).toBe(12.5);
    expect(v.date_mkr5zp5).toMatchObject({ date: '2026-06-15', time: '09:30:00', text: '2026-06-15 09:30' });
    expect(v.color_mkr5j5pp).toMatchObject({ text: 'OPEN', label: 'OPEN', index: 0, is_done: false });
    expect(JSON.parse(v.color_mkr5j5pp.value)).toMatchObject({ index: 0 });
    expect(v.dropdown_mkr518fc).toMatchObject({ text: 'RECEIVED', values: [{ id: '1', label: 'RECEIVED' }], value: '{"ids":[1]}' });
    expect(v.dropdown_mkr542p2.text).toBe('NORTHWIND OUTFITTERS');
    // Empty status and dropdown text is null; other empty columns read "".
    expect(v.color_mkrerxrs.text).toBeNull();
    expect(v.dropdown_mkr5w5e.text).toBeNull();
    expect(v.text_mkr5ej2x).toMatchObject({ text: '', value: null });
    expect(v.pulse_id_mkr5pb5q).toMatchObject({ type: 'item_id', item_id: id, text: id });
    expect(v.name).toBeUndefined();
  });

  it('treats numbers "" as 0 and null as clear', async () => {
    const emu = await emulator();
    const id = await createItem(emu.gql, 'SO-1', { numeric_mktb1d19: '5', text_mkr5ej2x: 'PO-1' });
    await emu.gql(CHANGE, { board: ITEMS_BOARD, item: id, values: JSON.stringify({ numeric_mktb1d19: '', text_mkr5ej2x: null }) });
    let v = await values(emu.gql, id);
    expect(v.numeric_mktb1d19.text).toBe('0');
    expect(v.text_mkr5ej2x.value).toBeNull();
    await emu.gql(CHANGE, { board: ITEMS_BOARD, item: id, values: JSON.stringify({ numeric_mktb1d19: null }) });
    v = await values(emu.gql, id);
    expect(v.numeric_mktb1d19).toMatchObject({ text: '', value: null, number: null });
  });

  it('refuses wrong shapes with ColumnValueException and error_data', async () => {
    const emu = await emulator();
    const id = await createItem(emu.gql, 'SO-1');
    const cases: Array<[string, unknown, string]> = [
      ['text_mkr5wya6', { text: 'x' }, 'text'],
      ['numeric_mktb1d19', 'twelve', 'numbers'],
      ['date_mkr5zp5', { date: '2026-02-30' }, 'date'],
      ['color_mkr5j5pp', { index: 42 }, 'status'],
      ['dropdown_mkr542p2', { ids: [1], labels: ['X'] }, 'dropdown'],
      ['long_text_mktdy7re', 'x'.repeat(2001), 'long_text'],
    ];
    for (const [column, value, type] of cases) {
      const r = await emu.gql(CHANGE, { board: ITEMS_BOARD, item: id, values: JSON.stringify({ [column]: value }) });
      expect(r.status).toBe(200);
      expect(r.body.data.change_multiple_column_values).toBeNull();
      expect(r.body.errors[0].extensions).toMatchObject({ code: 'ColumnValueException', error_data: { column_id: column, column_type: type } });
    }
  });

  it('refuses writes to read-only columns (mirror, formula, item id, last updated, subitems)', async () => {
    const emu = await emulator();
    const id = await createItem(emu.gql, 'SO-1');
    for (const column of ['lookup_mkrbrdr1', 'formula_mkrd937j', 'pulse_id_mkr5pb5q', 'pulse_updated_mks8qpqh', 'subtasks_mkr5c0kp']) {
      const r = await emu.gql(CHANGE, { board: ITEMS_BOARD, item: id, values: JSON.stringify({ [column]: '1' }) });
      expect(r.body.errors[0].extensions.code).toBe('ColumnValueException');
    }
  });

  it('refuses unknown labels unless create_labels_if_missing, which adds them with the next id', async () => {
    const emu = await emulator();
    const off = await emu.gql(CREATE_ITEM, { board: ITEMS_BOARD, name: 'SO-1', values: JSON.stringify({ dropdown_mkr542p2: { labels: ['SUMMIT SUPPLY'] } }) });
    expect(off.body.data.create_item).toBeNull();
    expect(off.body.errors[0].extensions).toMatchObject({ code: 'ColumnValueException', error_data: { column_type: 'dropdown' } });
    expect(off.body.errors[0].message).toMatch(/label does not exist/);
    expect(emu.store.boards.get(ITEMS_BOARD)!.items.size).toBe(0);

    const on = await emu.gql(CREATE_ITEM, {
      board: ITEMS_BOARD,
      name: 'SO-1',
      labels: true,
      values: JSON.stringify({ dropdown_mkr542p2: { labels: ['SUMMIT SUPPLY'] }, color_mkr5j5pp: { label: 'PARTIAL' } }),
    });
    const id = on.body.data.create_item.id;
    const v = await values(emu.gql, id);
    expect(v.dropdown_mkr542p2.values).toEqual([{ id: '4', label: 'SUMMIT SUPPLY' }]);
    // Status ids skip 5, monday's reserved empty label.
    expect(v.color_mkr5j5pp).toMatchObject({ label: 'PARTIAL', index: 6 });
    const settings = await emu.gql(`{ boards(ids: [${ITEMS_BOARD}]) { columns(ids: ["dropdown_mkr542p2"]) { settings } } }`);
    expect(settings.body.data.boards[0].columns[0].settings.labels.map((l: any) => l.label)).toContain('SUMMIT SUPPLY');
  });

  it('takes numeric simple values as label ids, which is why numeric sizes need ids', async () => {
    const emu = await emulator();
    const parent = await createItem(emu.gql, 'SO-1');
    const r = await emu.gql(`mutation ($p: ID!, $v: JSON) { create_subitem(parent_item_id: $p, item_name: "28", column_values: $v) { id board { id } } }`, {
      p: parent,
      v: JSON.stringify({ dropdown_mkrak7qp: '2', numeric_mkra7j8e: '40' }),
    });
    expect(r.body.data.create_subitem.board.id).toBe(SUBITEMS_BOARD);
    const v = await values(emu.gql, r.body.data.create_subitem.id);
    expect(v.dropdown_mkrak7qp.text).toBe('S');
  });

  it('refuses unknown columns with InvalidColumnIdException', async () => {
    const emu = await emulator();
    const r = await emu.gql(CREATE_ITEM, { board: ITEMS_BOARD, name: 'SO-1', values: JSON.stringify({ text_nope: 'x' }) });
    expect(r.body.errors[0].extensions).toMatchObject({ code: 'InvalidColumnIdException', error_data: { column_id: 'text_nope' } });
  });

  it('refuses a simple value for checkbox with CorrectedValueException', async () => {
    const emu = await emulator({ seed: undefined });
    const b = await emu.gql('mutation { create_board(board_name: "T", board_kind: public) { id } }');
    const board = b.body.data.create_board.id;
    await emu.gql(`mutation { create_column(board_id: ${board}, id: "check", title: "OK?", column_type: checkbox) { id } }`);
    const id = await createItem(emu.gql, 'one', { check: { checked: 'true' } }, board);
    const r = await emu.gql(`mutation ($i: ID) { change_simple_column_value(board_id: ${board}, item_id: $i, column_id: "check", value: "true") { id } }`, { i: id });
    expect(r.body.errors[0].extensions.code).toBe('CorrectedValueException');
    const v = await emu.gql(`{ items(ids: [${id}]) { column_values(ids: ["check"]) { text ... on CheckboxValue { checked } } } }`);
    expect(v.body.data.items[0].column_values[0]).toEqual({ text: 'v', checked: true });
  });

  it('renames through the name key and refuses names outside 1-255 characters', async () => {
    const emu = await emulator();
    const id = await createItem(emu.gql, 'old');
    const ok = await emu.gql(CHANGE, { board: ITEMS_BOARD, item: id, values: JSON.stringify({ name: 'new' }) });
    expect(ok.body.data.change_multiple_column_values.name).toBe('new');
    const long = await emu.gql(CREATE_ITEM, { board: ITEMS_BOARD, name: 'x'.repeat(256) });
    expect(long.body.errors[0].extensions.code).toBe('ItemNameTooLongException');
  });

  it('reports malformed column_values JSON as JsonParseException for that alias only', async () => {
    const emu = await emulator();
    const r = await emu.gql(`mutation { a: create_item(board_id: ${ITEMS_BOARD}, item_name: "a", column_values: "{nope") { id } b: create_item(board_id: ${ITEMS_BOARD}, item_name: "b") { id } }`);
    expect(r.body.data.a).toBeNull();
    expect(r.body.data.b.id).toBeTypeOf('string');
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors[0]).toMatchObject({ path: ['a'], extensions: { code: 'JsonParseException' } });
  });
});
