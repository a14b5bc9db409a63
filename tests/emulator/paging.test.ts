import { describe, expect, it } from 'vitest';
import { customerMasterScheduleSeed, type EmulatorSeed } from '../../src/emulator/index.js';
import { emulator, ITEMS_BOARD } from './harness.js';

function seedWith(n: number): EmulatorSeed {
  const seed = customerMasterScheduleSeed();
  seed.boards[0]!.items = Array.from({ length: n }, (_, i) => ({
    name: `SO-${i}`,
    column_values: { text_mkr5wya6: `SO-${i}`, dropdown_mkr542p2: { labels: [i % 2 ? 'ALPINE THREADS' : 'NORTHWIND OUTFITTERS'] } },
  }));
  return seed;
}

const FIRST = `query ($b: [ID!], $limit: Int!) { boards(ids: $b) { items_page(limit: $limit) { cursor items { id name } } } }`;
const NEXT = `query ($c: String!, $limit: Int!) { next_items_page(cursor: $c, limit: $limit) { cursor items { id name } } }`;

describe('paging', () => {
  it('pages through 1,200 items with opaque cursors, 500 at a time', async () => {
    const emu = await emulator({ seed: seedWith(1200) });
    const first = await emu.gql(FIRST, { b: [ITEMS_BOARD], limit: 500 });
    let page = first.body.data.boards[0].items_page;
    const names: string[] = page.items.map((i: any) => i.name);
    let requests = 1;
    while (page.cursor) {
      const r = await emu.gql(NEXT, { c: page.cursor, limit: 500 });
      page = r.body.data.next_items_page;
      names.push(...page.items.map((i: any) => i.name));
      requests++;
    }
    expect(requests).toBe(3);
    expect(names).toHaveLength(1200);
    expect(new Set(names).size).toBe(1200);
    expect(names[0]).toBe('SO-0');
  });

  it('refuses limits over 500, cursor with query_params, and expired cursors', async () => {
    const emu = await emulator({ seed: seedWith(30) });
    const big = await emu.gql(FIRST, { b: [ITEMS_BOARD], limit: 501 });
    expect(big.body.errors[0].extensions.code).toBe('InvalidArgumentException');
    const first = await emu.gql(FIRST, { b: [ITEMS_BOARD], limit: 10 });
    const cursor = first.body.data.boards[0].items_page.cursor;
    const both = await emu.gql(`query ($c: String) { boards(ids: [${ITEMS_BOARD}]) { items_page(cursor: $c, query_params: { ids: [1] }) { cursor } } }`, { c: cursor });
    expect(both.body.errors[0].extensions.code).toBe('InvalidArgumentException');
    emu.advanceTime(61 * 60_000);
    const expired = await emu.gql(NEXT, { c: cursor, limit: 10 });
    expect(expired.body.errors[0]).toMatchObject({ message: expect.stringMatching(/expired/), extensions: { code: 'InvalidArgumentException' } });
  });

  it('filters items_page with query_params rules', async () => {
    const emu = await emulator({ seed: seedWith(10) });
    const r = await emu.gql(`{ boards(ids: [${ITEMS_BOARD}]) { items_page(limit: 100, query_params: {
      rules: [{ column_id: "dropdown_mkr542p2", compare_value: [2] }, { column_id: "name", compare_value: ["SO-"], operator: contains_text }],
      order_by: [{ column_id: "name", direction: desc }] }) { items { name } } } }`);
    expect(r.body.data.boards[0].items_page.items.map((i: any) => i.name)).toEqual(['SO-9', 'SO-7', 'SO-5', 'SO-3', 'SO-1']);
  });

  it('finds items by whole column value, case-insensitively, active ones only', async () => {
    const emu = await emulator({ seed: seedWith(1200) });
    const find = (value: string) =>
      emu.gql(`query ($v: String) { items_page_by_column_values(board_id: ${ITEMS_BOARD}, limit: 5, columns: [{ column_id: "text_mkr5wya6", column_values: [$v] }]) { cursor items { id name } } }`, { v: value });
    const hit = await find('so-1099');
    expect(hit.body.data.items_page_by_column_values.items.map((i: any) => i.name)).toEqual(['SO-1099']);
    expect((await find('SO-10')).body.data.items_page_by_column_values.items.map((i: any) => i.name)).toEqual(['SO-10']);
    await emu.gql(`mutation { archive_item(item_id: ${hit.body.data.items_page_by_column_values.items[0].id}) { id } }`);
    expect((await find('SO-1099')).body.data.items_page_by_column_values.items).toEqual([]);
    const many = await emu.gql(`{ items_page_by_column_values(board_id: ${ITEMS_BOARD}, limit: 500, columns: [{ column_id: "dropdown_mkr542p2", column_values: ["alpine threads"] }]) { cursor items { id } } }`);
    expect(many.body.data.items_page_by_column_values.items).toHaveLength(500);
    expect(many.body.data.items_page_by_column_values.cursor).toBeTypeOf('string');
  });

  it('caps items(ids) at 100 ids', async () => {
    const emu = await emulator();
    const ids = Array.from({ length: 101 }, (_, i) => String(9_000_000_100 + i));
    const r = await emu.gql('query ($ids: [ID!]) { items(ids: $ids) { id } }', { ids });
    expect(r.body.errors[0].extensions.code).toBe('InvalidArgumentException');
  });
});
