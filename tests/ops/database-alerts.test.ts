import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliWorld, type CliWorld } from './cli-world.js';
import { closedPort, webhook, type Webhook } from '../support/webhook.js';

/**
 * A scheduled job that cannot open its database writes no run record, so no failure streak
 * ever counts it: without its own alert a database down all night pages nobody. Each such
 * job posts `database_unavailable` with the error's one line, and keeps its exit code.
 */
describe('a job whose database cannot be opened pages (real CLI, webhook)', () => {
  let hook: Webhook;
  let sqlite: CliWorld;
  let pg: CliWorld;
  let port: number;

  beforeAll(async () => {
    hook = await webhook();
    port = await closedPort();
    const env = { ORDERSYNC_ALERT_WEBHOOK: hook.url };
    sqlite = await cliWorld({ env });
    pg = await cliWorld({ env: { ...env, PG_URL: `postgres://postgres@127.0.0.1:${port}/ordersync` }, databaseToml: '[env.dev.database]\ndialect = "postgres"\nurl_env = "PG_URL"\n' });
  }, 60_000);
  afterAll(async () => {
    hook?.close();
    await sqlite?.close();
    await pg?.close();
  });

  it('run on a PostgreSQL server that refuses connections: exit 1 and one critical alert naming host and port', async () => {
    const before = hook.received.length;
    const r = await pg.cli(['run']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(hook.received).toHaveLength(before + 1);
    const text = hook.received[before]!.text;
    expect(text).toMatch(/^ordersync dev: CRITICAL\n/);
    expect(text).toContain(`• [critical] database_unavailable: nothing accepts connections at 127.0.0.1:${port}`);
    expect(JSON.stringify(hook.received[before]!.blocks)).toContain('exit code 1');
  }, 60_000);

  it('sync and retry page the same way; each run posts again while the outage lasts', async () => {
    const before = hook.received.length;
    for (const command of ['sync', 'retry', 'run']) expect((await pg.cli([command])).code).toBe(1);
    expect(hook.received.slice(before).map((m) => /database_unavailable/.test(m.text))).toEqual([true, true, true]);
  }, 60_000);

  it('a SQLite database not created yet: run and cutover exit 3 and the alert names the fix', async () => {
    const before = hook.received.length;
    expect((await sqlite.cli(['run'])).code).toBe(3);
    expect((await sqlite.cli(['cutover'])).code).toBe(3);
    expect(hook.received).toHaveLength(before + 2);
    for (const m of hook.received.slice(before)) {
      expect(m.text).toMatch(/database_unavailable: the SQLite database .* does not exist yet .*`ordersync migrate up --env dev`/);
      expect(JSON.stringify(m.blocks)).toContain('exit code 3');
    }
  }, 60_000);

  it('a command that is not a job (status) pages nobody', async () => {
    const before = hook.received.length;
    expect((await sqlite.cli(['status'])).code).toBe(3);
    expect((await pg.cli(['status'])).code).toBe(1);
    expect(hook.received).toHaveLength(before);
  }, 60_000);
});
