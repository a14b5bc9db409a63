import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { customerMasterScheduleSeed, startEmulator } from '../../src/emulator/index.js';
import { ExitCode } from '../../src/errors.js';
import { runCli } from '../support/cli.js';

const root = mkdtempSync(join(tmpdir(), 'ordersync-demo-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * The demo's board state, left by an earlier demo, with the ORDER TYPE label FORECAST deleted
 * from the items board: the demo's FORECAST orders are refused (MissingLabel, for good), the
 * other orders go through, so its first day is DEGRADED and its second day is OK.
 */
async function boardWithoutForecast(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const statePath = join(dir, 'board-state.json');
  await (await startEmulator({ seed: customerMasterScheduleSeed(), statePath })).close();
  const state = JSON.parse(readFileSync(statePath, 'utf8')) as { boards: Array<{ columns: Array<{ id: string; settings: { labels?: Array<{ label: string }> } }> }> };
  const orderType = state.boards.flatMap((b) => b.columns).find((c) => c.id === 'dropdown_mkr518fc');
  orderType!.settings.labels = orderType!.settings.labels!.filter((l) => l.label !== 'FORECAST');
  writeFileSync(statePath, JSON.stringify(state));
}

describe('demo', () => {
  it('exits as `run` does for the runs it made: a DEGRADED day is exit 2, even when the next day is OK', async () => {
    const dir = join(root, 'degraded');
    await boardWithoutForecast(dir);
    const r = await runCli(['demo', '--orders', '30', '--dir', dir], { cwd: root, timeoutMs: 120_000 });
    expect(r.stdout).toMatch(/^run #1 DEGRADED .*failed/m);
    expect(r.stdout).toMatch(/^run #2 OK /m);
    // `run` exits 2 for a DEGRADED run (tests/ops/cli.test.ts): the demo's day 1 was one.
    expect(r.code, r.stdout + r.stderr).toBe(ExitCode.degraded);
  }, 180_000);
});
