import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collect, spawnCli, waitForLine } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ordersync-emulator-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TOKEN = 'state-token';

async function gql<T>(url: string, query: string): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { Authorization: TOKEN, 'API-Version': '2026-10', 'Content-Type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  if (!body.data) throw new Error(`query failed: ${JSON.stringify(body)}`);
  return body.data;
}

function start(state: string) {
  const child = spawnCli(['emulator', '--port', '0', '--token', TOKEN, '--time-scale', '60', '--state', state], { cwd: dir });
  const done = collect(child, 60_000);
  return { child, done, url: waitForLine(child, /url:/).then((l) => l.split('url:')[1]!.trim()) };
}

/**
 * Issue 12 #8: `emulator --state` saved 200 ms after a write, so a SIGKILL right after an
 * answer lost acknowledged writes, and the restarted emulator handed out their ids again.
 * Every acknowledged write is on disk before its answer; ids only go forward.
 */
describe('ordersync emulator --state under SIGKILL', () => {
  it('keeps every acknowledged item and subitem across kill/restart, and never reuses an id', async () => {
    const state = join(dir, 'state.json');
    const acknowledged: string[] = [];
    for (let round = 0; round < 3; round++) {
      const emu = start(state);
      const url = await emu.url;
      const { create_item: parent } = await gql<{ create_item: { id: string } }>(url, `mutation { create_item(board_id: 9000000001, item_name: "round ${round}") { id } }`);
      acknowledged.push(parent.id);
      for (let i = 0; i < 5; i++) {
        const { create_subitem: sub } = await gql<{ create_subitem: { id: string } }>(url, `mutation { create_subitem(parent_item_id: ${parent.id}, item_name: "Size ${i}") { id } }`);
        acknowledged.push(sub.id);
      }
      // Killed the instant the last answer arrived: no clean shutdown, no timer.
      emu.child.kill('SIGKILL');
      expect((await emu.done).code).toBe(137);
    }

    const emu = start(state);
    const url = await emu.url;
    const { items } = await gql<{ items: Array<{ id: string }> }>(url, `query { items(ids: [${acknowledged.join(',')}]) { id } }`);
    expect(items.map((i) => i.id).sort()).toEqual([...acknowledged].sort());
    const { create_item: next } = await gql<{ create_item: { id: string } }>(url, `mutation { create_item(board_id: 9000000001, item_name: "after") { id } }`);
    for (const id of acknowledged) expect(BigInt(next.id), `new id ${next.id} reuses or precedes ${id}`).toBeGreaterThan(BigInt(id));
    expect(new Set(acknowledged).size).toBe(acknowledged.length);
    emu.child.kill('SIGTERM');
    expect((await emu.done).code).toBe(0);
  }, 120_000);
});
