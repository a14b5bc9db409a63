import { afterEach, describe, expect, it } from 'vitest';
import { collect, runCli, spawnCli } from '../support/cli.js';
import { firstItemsBatch, opsWorld, type OpsWorld } from './support.js';

/**
 * A job killed with SIGKILL (OOM killer, `kill -9`, a lost host) cannot close its record: it
 * stays RUNNING until the next job takes the lock. `status` and the dashboard must not show
 * that dead process as a run in progress, and must not call a live one dead.
 */
let w: OpsWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const env = (x: OpsWorld) => ({ MONDAY_API_TOKEN: x.emulator.token, ORDERSYNC_ALERT_WEBHOOK: undefined });


interface StatusJson {
  runs: Array<{ id: number; status: string; process_gone?: boolean }>;
}

describe('status after a SIGKILL', () => {
  it('a live run is shown running; the same record after SIGKILL is shown as a dead process, and the next run closes it', async () => {
    const x = (w = await opsWorld({ orders: 80, latencyMs: 300 }));
    await x.db.close();
    const cli = (args: string[]) => runCli(['--config', x.file, ...args], { cwd: x.dir, env: env(x) });

    const child = spawnCli(['--config', x.file, 'run', '--log-format', 'json'], { cwd: x.dir, env: env(x) });
    const done = collect(child, 120_000);
    await firstItemsBatch(child);

    const live = await cli(['status', '--json']);
    expect(live.code, live.stderr).toBe(0);
    expect((JSON.parse(live.stdout) as StatusJson).runs[0]).toMatchObject({ id: 1, status: 'RUNNING' });
    expect((JSON.parse(live.stdout) as StatusJson).runs[0]?.process_gone).toBeUndefined();
    const liveText = await cli(['status']);
    expect(liveText.stdout).toMatch(/#1\s+run\s+RUNNING\s+\S+\s+running/);
    expect(liveText.stdout).not.toContain('process gone');

    child.kill('SIGKILL');
    await done;

    const dead = await cli(['status', '--json']);
    expect(dead.code, dead.stderr).toBe(0);
    expect((JSON.parse(dead.stdout) as StatusJson).runs[0]).toMatchObject({ id: 1, status: 'RUNNING', process_gone: true });
    const deadText = await cli(['status']);
    expect(deadText.stdout).toContain('RUNNING (process gone)');
    expect(deadText.stdout).toContain('#1: recorded RUNNING, but no process holds the run lock (killed or crashed); the next `ordersync run` closes it as ABORTED');

    const next = await cli(['run']);
    expect([0, 2], next.stderr).toContain(next.code);
    const after = JSON.parse((await cli(['status', '--json'])).stdout) as StatusJson;
    expect(after.runs.find((r) => r.id === 1)).toMatchObject({ status: 'ABORTED' });
    expect(after.runs.some((r) => r.process_gone)).toBe(false);
  }, 240_000);
});
