import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliWorld, type CliWorld } from './cli-world.js';
import { webhook, type Webhook } from '../support/webhook.js';

/**
 * A run that throws exits with its error's code (3 for a configuration error); the webhook it
 * posts must say that code, not the one the alerts alone would give (1 for a critical alert).
 */
describe('the alert of a run that threw names the exit code the process ends with', () => {
  let hook: Webhook;
  let w: CliWorld;

  beforeAll(async () => {
    hook = await webhook();
    w = await cliWorld({ databaseToml: '[env.dev.alerts]\nmax_consecutive_failed_runs = 1\n', env: { ORDERSYNC_ALERT_WEBHOOK: hook.url } });
    expect((await w.cli(['migrate', 'up'])).code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    hook?.close();
    await w?.close();
  });

  it('a run without its token: exit 3, and the failed-runs alert says exit code 3', async () => {
    const r = await w.cli(['run'], { MONDAY_API_TOKEN: undefined });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]!.text).toMatch(/\[critical\] consecutive_failed_runs: 1 failed runs in a row .*MONDAY_API_TOKEN/);
    expect(JSON.stringify(hook.received[0]!.blocks)).toContain('exit code 3 ·');
  }, 60_000);
});
