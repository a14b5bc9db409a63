import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliWorld, pgAdmin, type CliWorld } from '../ops/cli-world.js';
import { REPO_ROOT, spawnCli, waitForLine, collect } from '../support/cli.js';
import { PG_ADMIN_URL } from '../support/engines.js';

/**
 * The GRANTs of docs/security.md, applied as written, must be enough for the schedule: the app
 * role runs the job (cutover, run, rollback) and the read role reads (status, report, serve).
 * Only the role and database names are made unique (roles are server-wide; other tests share it).
 */
const suffix = randomBytes(4).toString('hex');
const NAMES: Record<string, string> = {
  ordersync_owner: `lp_owner_${suffix}`,
  ordersync_app: `lp_app_${suffix}`,
  ordersync_read: `lp_read_${suffix}`,
  orders: `lp_db_${suffix}`,
};

/** The SQL block of the least-privilege section, split at its comment lines into its steps. */
function documentedSql(): { setup: string; staging: string; afterMigrate: string } {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'security.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Least-privilege database user'));
  const sql = /```sql\n([\s\S]*?)```/.exec(section)?.[1];
  if (!sql) throw new Error('docs/security.md: no sql block in the least-privilege section');
  const renamed = sql.replace(/\b(ordersync_owner|ordersync_app|ordersync_read)\b/g, (n) => NAMES[n] ?? n).replace(/ON DATABASE orders\b/, `ON DATABASE ${NAMES.orders}`);
  const [setup, rest] = renamed.split(/^-- staging belongs upstream.*$/m);
  const [staging, afterMigrate] = (rest ?? '').split(/^-- after `ordersync migrate up`.*$/m);
  if (!setup || !staging || !afterMigrate) throw new Error('docs/security.md: the sql block lost one of its steps');
  return { setup, staging, afterMigrate };
}

function urlAs(role: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.username = role;
  u.password = '';
  u.pathname = `/${NAMES.orders}`;
  return u.toString();
}

describe('the least-privilege roles of docs/security.md (PostgreSQL)', () => {
  const sql = documentedSql();
  const dbUrl = urlAs(new URL(PG_ADMIN_URL).username || 'postgres');
  let w: CliWorld;
  const as = (role: string, args: string[]) => w.cli(args, { PG_URL: urlAs(role) });

  beforeAll(async () => {
    await pgAdmin(`create database ${NAMES.orders}`);
    // The setup creates the roles, so it runs as the admin of the server.
    await pgAdmin(sql.setup, dbUrl);
    w = await cliWorld({ databaseToml: '[env.dev.database]\ndialect = "postgres"\nurl_env = "PG_URL"\n' });
    const owner = NAMES.ordersync_owner as string;
    // Upstream owns staging: here the owner loads it, then the documented grants follow.
    for (const args of [['gen', '--orders', '12', '--clean', '--out', 'data'], ['ingest', 'data/staging-day0.csv', '--replace']]) {
      const r = await as(owner, args);
      expect(r.code === 0 || r.code === 2, `${args.join(' ')}: ${r.stderr}`).toBe(true);
    }
    await pgAdmin(sql.staging, dbUrl);
    const up = await as(owner, ['migrate', 'up']);
    expect(up.code, up.stderr).toBe(0);
    await pgAdmin(sql.afterMigrate, dbUrl);
    const snap = await as(NAMES.ordersync_app as string, ['board', 'snapshot']);
    expect(snap.code, snap.stderr).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await w?.close();
    await pgAdmin(`drop database if exists ${NAMES.orders} with (force)`);
    for (const role of [NAMES.ordersync_app, NAMES.ordersync_read, NAMES.ordersync_owner]) await pgAdmin(`drop role if exists ${role}`);
  });

  it('the app role cannot change the schema or write staging', async () => {
    const app = NAMES.ordersync_app as string;
    const down = await as(app, ['migrate', 'down']);
    expect(down.code).not.toBe(0);
    const ingest = await as(app, ['ingest', 'data/staging-day0.csv', '--replace']);
    expect(ingest.code).not.toBe(0);
  });

  it('the app role runs cutover (migrations checked, not applied), run and rollback', async () => {
    const app = NAMES.ordersync_app as string;
    const cutover = await as(app, ['cutover', '--json']);
    expect(cutover.code, cutover.stdout + cutover.stderr).toBe(0);
    expect(JSON.parse(cutover.stdout)).toMatchObject({ complete: true });
    const run = await as(app, ['run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const full = (JSON.parse(cutover.stdout) as { steps: Array<{ step: string; runId?: number }> }).steps.find((s) => s.step === 'full')?.runId;
    const rollback = await as(app, ['rollback', '--run', String(full)]);
    expect(rollback.code, rollback.stdout + rollback.stderr).toBe(0);
    expect(rollback.stdout).toMatch(/next run redoes this/);
  }, 180_000);

  it.each(['ordersync_app', 'ordersync_read'])('%s reads: status, report', async (name) => {
    const role = NAMES[name] as string;
    const status = await as(role, ['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toHaveProperty('runs');
    const report = await as(role, ['report', '--format', 'json']);
    expect(report.code, report.stderr).toBe(0);
  }, 60_000);

  it.each(['ordersync_app', 'ordersync_read'])('%s serves the dashboard: ready, its API answers', async (name) => {
    const child = spawnCli(['--config', w.file, 'serve', '--port', '0'], { cwd: w.dir, env: { ...w.env, PG_URL: urlAs(NAMES[name] as string) } });
    const done = collect(child, 60_000);
    try {
      const line = await waitForLine(child, /listening on (http:\S+)/);
      const base = /listening on (http:\S+)/.exec(line)?.[1] as string;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const api = await fetch(`${base}/api/dashboard`);
      expect(api.status, await api.clone().text()).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect((await done).code).toBe(0);
  }, 60_000);

  it.each([
    { role: 'ordersync_read', table: 'ordersync_migrations', args: ['status'] },
    { role: 'ordersync_read', table: 'sync_runs', args: ['report', '--last'] },
    { role: 'ordersync_app', table: 'orders', args: ['run'] },
    { role: 'ordersync_app', table: 'orders', args: ['run', '--json'] },
    { role: 'ordersync_app', table: 'sync_runs', args: ['cutover'] },
  ])('$role without its GRANT on $table: `$args` is one line naming the table, the role and docs/security.md, exit 3', async ({ role, table, args }) => {
    const name = NAMES[role] as string;
    await pgAdmin(`revoke all on ${table} from ${name}`, dbUrl);
    try {
      const r = await as(name, args);
      expect(r.code, r.stdout + r.stderr).toBe(3);
      const lines = r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('{'));
      expect(lines, r.stderr).toEqual([
        `ordersync: role "${name}" is not granted what it needs on table ${table} (permission denied for table ${table}): grant it as docs/security.md shows (Least-privilege database user), or fix the user in the URL in PG_URL (database.url_env, environment "dev")`,
      ]);
      if (args.includes('--json')) expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'ConfigError', exit_code: 3 } });
    } finally {
      await pgAdmin(`grant ${role === 'ordersync_read' ? 'select' : 'select, insert, update, delete'} on ${table} to ${name}`, dbUrl);
    }
  }, 120_000);

  it('cutover refuses a schema with pending migrations unless --migrate is given', async () => {
    const owner = NAMES.ordersync_owner as string;
    const down = await as(owner, ['migrate', 'down']);
    expect(down.code, down.stderr).toBe(0);
    const refused = await as(NAMES.ordersync_app as string, ['cutover']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/pending.*ordersync migrate up|--migrate/);
    const applied = await as(owner, ['cutover', '--migrate', '--baseline-only']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/migrations: applied/);
  }, 120_000);
});
