import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { admin, createItem, emulator, ITEMS_BOARD } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'ordersync-emu-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('admin routes and persistence', () => {
  it('seeds boards in the shape the API returns them, dumps and resets state', async () => {
    const emu = await emulator();
    const seeded = await admin(emu, 'POST', '/seed', {
      data: { boards: [{ id: '9100000001', name: 'Pasted', columns: [{ id: 'name', title: 'Name', type: 'name' }, { id: 'text_po', title: 'PO', type: 'text', settings: {} }], groups: [{ id: 'topics', title: 'Main' }] }] },
    });
    expect(((await seeded.json()) as any).board_ids).toEqual(['9100000001']);
    const id = await createItem(emu.gql, 'x', { text_po: 'PO-1' }, '9100000001');
    expect(Number(id)).toBeGreaterThan(9_100_000_001);
    const state = (await (await admin(emu, 'GET', '/state')).json()) as any;
    expect(state.items).toEqual([expect.objectContaining({ id, values: { text_po: { data: 'PO-1', changed_at: expect.any(String) } } })]);
    expect((await admin(emu, 'POST', '/reset')).status).toBe(200);
    expect([...emu.store.boards.keys()]).toEqual([ITEMS_BOARD, '9000000002']);
    expect(emu.store.items.size).toBe(0);
    await admin(emu, 'POST', '/reset', { empty: true });
    expect(emu.store.boards.size).toBe(0);
    expect((await admin(emu, 'PUT', '/state', state)).status).toBe(200);
    expect(emu.store.items.get(id)!.values.get('text_po')!.data).toBe('PO-1');
    const stats = (await (await admin(emu, 'GET', '/stats')).json()) as any;
    expect(stats.requests).toBeGreaterThanOrEqual(0);
    expect((await fetch(emu.url.replace('/v2', '/__emulator/stats'))).status).toBe(401);
  });

  it('persists to a JSON file and resumes from it without reusing ids', async () => {
    const statePath = join(dir, 'state.json');
    const first = await emulator({ statePath });
    const id = await createItem(first.gql, 'SO-1', { text_mkr5wya6: 'SO-1', dropdown_mkr542p2: { labels: ['ALPINE THREADS'] } });
    await first.gql(`mutation { archive_item(item_id: ${id}) { id } }`);
    await first.close();
    expect(JSON.parse(readFileSync(statePath, 'utf8')).items).toHaveLength(1);
    const second = await emulator({ statePath, seed: undefined });
    expect(second.store.items.get(id)?.state).toBe('archived');
    const next = await createItem(second.gql, 'SO-2');
    expect(Number(next)).toBeGreaterThan(Number(id));
  });
});
