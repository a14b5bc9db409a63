import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collect, runCli, spawnCli, waitForLine } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ordersync-emulator-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ordersync emulator', () => {
  it('prints a URL and token that answer monday queries, and stops cleanly on SIGTERM', async () => {
    const child = spawnCli(['emulator', '--port', '0', '--token', 'cli-token', '--time-scale', '60'], { cwd: dir });
    const done = collect(child, 30_000);
    const url = (await waitForLine(child, /url:/)).split('url:')[1]!.trim();
    const res = await fetch(url, {
      method: 'POST',
      headers: { Authorization: 'cli-token', 'API-Version': '2026-10', 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: 'query { boards(ids: [9000000001]) { id name } }' }),
    });
    const body = (await res.json()) as { data: { boards: Array<{ id: string; name: string }> } };
    expect(body.data.boards).toEqual([{ id: '9000000001', name: 'Customer Master Schedule' }]);
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('emulator stopped');
  });

  it('refuses a seed file it cannot read, naming it (exit 3)', async () => {
    const bad = join(dir, 'seed.json');
    writeFileSync(bad, '{ not json');
    const r = await runCli(['emulator', '--port', '0', '--seed', bad], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${bad}: not a usable seed`);
  });
});
