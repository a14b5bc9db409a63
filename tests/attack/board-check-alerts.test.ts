import { afterEach, describe, expect, it } from 'vitest';
import { evaluateAlerts } from '../../src/observe/index.js';
import { createRelEnv, type RelEnv } from '../reliability/support/env.js';
import { runCli } from '../support/cli.js';
import { webhook } from '../support/webhook.js';
import { plannerEdits, staging } from './support.js';

/**
 * A run is DEGRADED when its board check finds what it wrote differs from the board, or when
 * the board could not be read back at all: its verdict is not OK, so an operator reading alerts
 * must be told too (a degraded run posts the webhook with what to do).
 */
describe('the board check and the alerts', () => {
  let env: RelEnv | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it('a run whose board check finds a planner edit posts a board_check warning naming verify', { timeout: 120_000 }, async () => {
    const e = (env = await createRelEnv({ latencyMs: 5, batchSize: 5 }));
    await e.load(staging(4301, 8));
    expect((await e.run()).status).toBe('OK');
    await plannerEdits(e, ['column_changed']);
    const hook = await webhook();
    try {
      const r = await runCli(['--config', e.configPath, 'run'], { cwd: e.dir, env: { ...e.envVars, ORDERSYNC_ALERT_WEBHOOK: hook.url }, timeoutMs: 90_000 });
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(hook.received, 'a DEGRADED run posts').toHaveLength(1);
      expect(hook.received[0]!.text).toMatch(/^ordersync dev: WARNING after run #\d+ \(DEGRADED\)\n• \[warning\] board_check: the board check found 1 difference\(s\) .*`ordersync verify`/);
    } finally {
      hook.close();
    }
  });

  it('a board monday will not read back after the sync: DEGRADED "board not checked", with a board_check warning', { timeout: 120_000 }, async () => {
    const e = (env = await createRelEnv({ latencyMs: 5, batchSize: 5, maxRetries: 1 }));
    await e.load(staging(4302, 8));
    // Every request after the last subitem is written fails: the read-back cannot happen.
    const result = await e.run({
      progress: (phase, done, total) => {
        if (phase === 'subitems' && done === total && total > 0) e.emulator.faults.share(1, '500');
      },
    });
    e.emulator.faults.clear();
    expect(result.sync?.counts.items_created).toBeGreaterThan(0);
    expect(result.status, result.verdict.summary).toBe('DEGRADED');
    expect(result.verdict.summary).toMatch(/; board not checked: .*\(ordersync verify\)$/);
    const alerts = await evaluateAlerts(e.db, e.cfg, result);
    expect(alerts.alerts).toContainEqual(expect.objectContaining({ kind: 'board_check', severity: 'warning' }));
    expect(alerts.exitCode).toBe(2);
  });
});
