import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import {
  fetchBoardSnapshot,
  readSnapshot,
  subitemsBoardId,
  writeSnapshot,
  type BoardSnapshot,
} from '../../src/monday/board-schema.js';
import { MondayClient } from '../../src/monday/client.js';
import { ok, startScriptServer, type ScriptServer } from './support/script-server.js';

const dir = mkdtempSync(join(tmpdir(), 'ordersync-snap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let server: ScriptServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const board = {
  id: '9609317401',
  name: 'Customer Master Schedule',
  type: 'board',
  items_count: 2,
  items_limit: 10000,
  columns: [
    { id: 'name', title: 'Name', type: 'name', settings: {} },
    { id: 'subtasks_mkr5c0kp', title: 'Subitems', type: 'subtasks', settings: { allowMultipleItems: true, boardIds: [9609317948] } },
    {
      id: 'color_mkr5yf27',
      title: 'UNIT OF MEASURE',
      type: 'status',
      settings: { labels: [{ id: 0, label: 'EACH', color: '#fdab3d', index: 0 }, { id: 5, label: '', index: 1 }] },
    },
    // the pre-2025-10 string form, legacy label map
    { id: 'color_old', title: 'OLD STATUS', type: 'status', settings: '{"labels":{"1":"Done","2":"Stuck"}}' },
    {
      id: 'dropdown_mkr518fc',
      title: 'ORDER TYPE',
      type: 'dropdown',
      settings: { labels: [{ id: 1, label: 'RECEIVED' }, { id: 2, label: 'OLD', is_deactivated: true }] },
    },
    { id: 'lookup_mkrbrdr1', title: 'QTY ORDERED', type: 'mirror', settings: null },
  ],
  groups: [{ id: 'topics', title: 'ACME FW25' }],
};

describe('board snapshots', () => {
  it('fetches a board into a snapshot with labels (ids kept) and the subitems board id', async () => {
    server = await startScriptServer([{ ...ok({ boards: [board] }), headers: { 'API-Version': '2026-10' } }]);
    const client = new MondayClient({ apiUrl: server.url, apiVersion: '2026-10', token: 't' });
    const snap = await fetchBoardSnapshot(client, '9609317401', new Date('2026-11-29T12:00:00Z'));

    expect(server.requests[0]!.body.variables).toEqual({ boardIds: ['9609317401'] });
    expect(snap).toMatchObject({
      board_id: '9609317401',
      name: 'Customer Master Schedule',
      fetched_at: '2026-11-29T12:00:00.000Z',
      api_version: '2026-10',
      groups: [{ id: 'topics', title: 'ACME FW25' }],
    });
    const byId = Object.fromEntries(snap.columns.map((c) => [c.id, c]));
    expect(byId.name).toEqual({ id: 'name', title: 'Name', type: 'name' });
    expect(byId.color_mkr5yf27!.settings).toEqual({ labels: [{ id: 0, label: 'EACH' }, { id: 5, label: '' }] });
    expect(byId.color_old!.settings).toEqual({ labels: [{ id: 1, label: 'Done' }, { id: 2, label: 'Stuck' }] });
    expect(byId.dropdown_mkr518fc!.settings!.labels).toEqual([
      { id: 1, label: 'RECEIVED' },
      { id: 2, label: 'OLD', is_deactivated: true },
    ]);
    expect(byId.lookup_mkrbrdr1).toEqual({ id: 'lookup_mkrbrdr1', title: 'QTY ORDERED', type: 'mirror' });
    expect(subitemsBoardId(snap)).toBe('9609317948');
  });

  it('writes and reads back the same snapshot', async () => {
    server = await startScriptServer([ok({ boards: [board] })]);
    const client = new MondayClient({ apiUrl: server.url, apiVersion: '2026-10', token: 't' });
    const snap = await fetchBoardSnapshot(client, '9609317401');
    const path = join(dir, 'nested', 'board_9609317401.json');
    await writeSnapshot(path, snap);
    expect(readFileSync(path, 'utf8').endsWith('\n')).toBe(true);
    await expect(readSnapshot(path)).resolves.toEqual(snap);
  });

  it('names the file when it is missing, not JSON, or the wrong shape', async () => {
    const missing = join(dir, 'nope.json');
    await expect(readSnapshot(missing)).rejects.toThrow(new RegExp(`board snapshot ${missing} does not exist`));

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "board_id": ');
    const badErr = await readSnapshot(bad).catch((e: unknown) => e);
    expect(badErr).toBeInstanceOf(ConfigError);
    expect((badErr as Error).message).toMatch(new RegExp(`${bad} is not valid JSON`));

    const wrong = join(dir, 'wrong.json');
    const shape: Partial<BoardSnapshot> & { extra?: number } = {
      board_id: 'abc',
      name: 'x',
      fetched_at: '2026-11-29T12:00:00.000Z',
      api_version: '2026-10',
      columns: [{ id: 'text', title: 'T', type: '' }],
      groups: [],
    };
    writeFileSync(wrong, JSON.stringify(shape));
    const wrongErr = await readSnapshot(wrong).catch((e: unknown) => e);
    expect(wrongErr).toBeInstanceOf(ConfigError);
    expect((wrongErr as Error).message).toContain(wrong);
    expect((wrongErr as Error).message).toMatch(/board_id: board ids are numeric strings/);
    expect((wrongErr as Error).message).toMatch(/columns\.0\.type/);
  });
});
