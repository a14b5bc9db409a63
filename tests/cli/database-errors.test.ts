import { createServer, type Server } from 'node:net';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/engines.js';

/**
 * A database that cannot be reached or used is one line naming the key or variable and the
 * fix: exit 3 when the settings are wrong, 1 when the server does not answer; no stack trace.
 */
const dir = mkdtempSync(join(tmpdir(), 'ordersync-dberr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(
  join(dir, 'ordersync.toml'),
  ['default_env = "dev"', '[env.dev.database]', 'sqlite_path = "dev.db"', '[env.pg.database]', 'dialect = "postgres"', 'url_env = "TEST_DB_URL"'].join('\n'),
);

const cli = (args: string[], url?: string) => runCli(args, { cwd: dir, env: { TEST_DB_URL: url } });

function oneLine(r: { stderr: string }): string {
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return lines[0] as string;
}

describe('SQLite', () => {
  it('status before any `migrate up`: exit 3, names the setting and the fix, creates no file', async () => {
    const r = await cli(['status']);
    expect(r.code).toBe(ExitCode.config);
    expect(oneLine(r)).toBe(
      `ordersync: the SQLite database ${join(dir, 'dev.db')} does not exist yet (database.sqlite_path of environment "dev"): create it with \`ordersync migrate up --env dev\``,
    );
    expect(existsSync(join(dir, 'dev.db'))).toBe(false);
  });

  it.each([['run'], ['cutover'], ['verify'], ['rollback', '--run', '1']])('`%s` before any `migrate up`: the same line, exit 3, no file created', async (...args) => {
    const r = await cli(args);
    expect(r.code, r.stdout + r.stderr).toBe(ExitCode.config);
    expect(oneLine(r)).toMatch(/^ordersync: the SQLite database .*dev\.db does not exist yet \(database\.sqlite_path of environment "dev"\): create it with `ordersync migrate up --env dev`$/);
    expect(existsSync(join(dir, 'dev.db'))).toBe(false);
  });

  it('migrate status with no file: every migration pending, exit 3, the file not created', async () => {
    const r = await cli(['migrate', 'status']);
    expect(r.code).toBe(ExitCode.config);
    expect(r.stdout).toMatch(/^001_orders\s+pending\n002_run_history\s+pending\n003_value_hash\s+pending\n004_item_id_unique\s+pending\n005_board_values\s+pending\n$/);
    expect(existsSync(join(dir, 'dev.db'))).toBe(false);
  });

  it('a schema not migrated (no such table): exit 3 naming `migrate up`, not a stack', async () => {
    expect((await cli(['migrate', 'up', '--to', '1'])).code).toBe(0);
    for (const args of [['status'], ['report', '--last'], ['plan']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(ExitCode.config);
      expect(oneLine(r)).toBe('ordersync: the database schema of environment "dev" is not migrated (4 pending: 002_run_history, 003_value_hash, 004_item_id_unique, 005_board_values): run `ordersync migrate up --env dev`');
    }
  });

  it('migrate status exits 0 once current', async () => {
    expect((await cli(['migrate', 'up'])).code).toBe(0);
    const r = await cli(['migrate', 'status']);
    expect(r.code).toBe(ExitCode.ok);
  });

  it('a file that is not a SQLite database: exit 3 naming the setting', async () => {
    writeFileSync(join(dir, 'junk.toml'), ['[env.dev.database]', 'sqlite_path = "junk.db"'].join('\n'));
    writeFileSync(join(dir, 'junk.db'), 'this is not a database, just text that is long enough to have a header page in it'.repeat(20));
    const r = await runCli(['--config', 'junk.toml', '--env', 'dev', 'status'], { cwd: dir });
    expect(r.code).toBe(ExitCode.config);
    expect(oneLine(r)).toMatch(/is not a usable SQLite database .*database\.sqlite_path of environment "dev"/);
  });

  it('status --json on a good database still works (the probe does not get in the way)', async () => {
    const r = await cli(['status', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(new Database(join(dir, 'dev.db'), { readonly: true }).prepare('select count(*) as n from orders').get()).toEqual({ n: 0 });
  });
});

describe('PostgreSQL', () => {
  let pg: TestDatabase;
  let closed: Server;
  let closedPort: number;
  beforeAll(async () => {
    pg = await createTestDatabase('postgres');
    // A port that was just free: nothing listens there.
    closed = createServer();
    closedPort = await new Promise<number>((resolve) => closed.listen(0, '127.0.0.1', () => resolve((closed.address() as { port: number }).port)));
    await new Promise((r) => closed.close(r));
  });
  afterAll(async () => {
    await pg?.cleanup();
  });
  const url = (edit: (u: URL) => void) => {
    const u = new URL(pg.target.url as string);
    edit(u);
    return u.toString();
  };

  it('a URL that is not a URL: exit 3 naming the variable', async () => {
    const r = await cli(['status', '--env', 'pg'], 'host=localhost dbname=x');
    expect(r.code).toBe(ExitCode.config);
    expect(oneLine(r)).toBe('ordersync: TEST_DB_URL (database.url_env, environment "pg") is not a PostgreSQL URL: expected postgres://USER:PASSWORD@HOST:PORT/DATABASE');
  });

  it('a missing database: exit 3, says to create it', async () => {
    const r = await cli(['status', '--env', 'pg'], url((u) => (u.pathname = '/ordersync_no_such_db')));
    expect(r.code).toBe(ExitCode.config);
    expect(oneLine(r)).toMatch(/^ordersync: database "ordersync_no_such_db" does not exist on 127\.0\.0\.1:5432: create it \(`createdb ordersync_no_such_db`\) or fix the database name in the URL in TEST_DB_URL \(database\.url_env, environment "pg"\)$/);
  });

  it.each([['run'], ['cutover'], ['plan'], ['report', '--last'], ['rollback', '--run', '1']])('a missing database under `%s` too: the same line, exit 3', async (...args) => {
    const r = await cli([...args, '--env', 'pg'], url((u) => (u.pathname = '/ordersync_no_such_db')));
    expect(r.code, r.stdout + r.stderr).toBe(ExitCode.config);
    expect(oneLine(r)).toMatch(/^ordersync: database "ordersync_no_such_db" does not exist on 127\.0\.0\.1:5432: create it/);
  });

  it('an unknown role: exit 3 naming the variable', async () => {
    const r = await cli(['status', '--env', 'pg'], url((u) => (u.username = 'ordersync_no_such_role')));
    expect(r.code).toBe(ExitCode.config);
    expect(oneLine(r)).toMatch(/does not let role "ordersync_no_such_role" connect .*TEST_DB_URL \(database\.url_env/);
  });

  it('a refused port: exit 1 (an outage), naming host and port', async () => {
    const r = await cli(['status', '--env', 'pg'], url((u) => (u.port = String(closedPort))));
    expect(r.code).toBe(ExitCode.failed);
    expect(oneLine(r)).toBe(`ordersync: nothing accepts connections at 127.0.0.1:${closedPort} (the URL in TEST_DB_URL (database.url_env, environment "pg")): start PostgreSQL, or fix the host and port`);
  });

  it('an unknown host: exit 3', async () => {
    const r = await cli(['status', '--env', 'pg'], url((u) => (u.hostname = 'no-such-host.invalid')));
    expect(r.code).toBe(ExitCode.config);
    expect(oneLine(r)).toMatch(/^ordersync: unknown database host "no-such-host\.invalid": fix the host in the URL in TEST_DB_URL/);
  });

  it('a database not migrated yet: exit 3 naming `migrate up`; --json gets the error document', async () => {
    const r = await cli(['status', '--env', 'pg', '--json'], pg.target.url);
    expect(r.code).toBe(ExitCode.config);
    expect(oneLine(r)).toContain('is not migrated (5 pending: 001_orders, 002_run_history, 003_value_hash, 004_item_id_unique, 005_board_values): run `ordersync migrate up --env pg`');
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'ConfigError', exit_code: 3 } });
  });
});

describe('serve on a port in use', () => {
  it('says so, exit 3', async () => {
    const busy = createServer();
    const port = await new Promise<number>((resolve) => busy.listen(0, '127.0.0.1', () => resolve((busy.address() as { port: number }).port)));
    try {
      const r = await cli(['serve', '--port', String(port)]);
      expect(r.code).toBe(ExitCode.config);
      expect(oneLine(r)).toBe(`ordersync: port ${port} on 127.0.0.1 is in use (another ordersync serve?): stop it, or pick another with --port or [server].port`);
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });
});
