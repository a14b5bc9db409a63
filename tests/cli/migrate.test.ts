import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { runCli, runMain } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ordersync-cli-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(
  join(dir, 'ordersync.toml'),
  [
    'default_env = "dev"',
    '[env.dev.database]',
    'sqlite_path = "db/dev.db"',
    '[env.dev.database.tables]',
    'orders = "dev_orders"',
    '[env.pg.database]',
    'dialect = "postgres"',
    'url_env = "ORDERSYNC_TEST_UNSET_URL"',
  ].join('\n'),
);

/** Physical tables in the dev SQLite file (read directly, not through our code). */
function tablesIn(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name").all() as Array<{ name: string }>).map(
      (r) => r.name,
    );
  } finally {
    db.close();
  }
}

describe('ordersync migrate (CLI)', () => {
  const dbFile = join(dir, 'db', 'dev.db');
  // writes run in a real process; reads and error paths through main() in this one (cheaper)
  const cli = (args: string[]) => runCli(args, { cwd: dir });
  const inProcess = (args: string[]) => runMain(args, { cwd: dir });

  it('up --to 1 applies only the first migration, into the configured file and table names', async () => {
    const r = await cli(['migrate', 'up', '--to', '1']);
    expect(r).toMatchObject({ code: 0, stdout: 'applied 001_orders\n' });
    expect(tablesIn(dbFile)).toEqual(['dev_orders', 'monday_groups', 'order_lines', 'ordersync_migrations', 'ordersync_migrations_lock', 'run_lock']);
  });

  it('status --json shows what is applied, and exits 3 while a migration is pending', async () => {
    const r = await inProcess(['migrate', 'status', '--json']);
    expect(r.code).toBe(ExitCode.config);
    const status = JSON.parse(r.stdout) as Array<{ name: string; version: number; appliedAt: string | null }>;
    expect(status.map((m) => [m.name, m.version, m.appliedAt === null ? 'pending' : 'applied'])).toEqual([
      ['001_orders', 1, 'applied'],
      ['002_run_history', 2, 'pending'],
      ['003_value_hash', 3, 'pending'],
      ['004_item_id_unique', 4, 'pending'],
      ['005_board_values', 5, 'pending'],
    ]);
    expect(Date.parse(status[0]?.appliedAt ?? '')).toBeGreaterThan(Date.now() - 600_000);
  });

  it('down reverses it, and status (text) shows both pending', async () => {
    const down = await cli(['migrate', 'down']);
    expect(down).toMatchObject({ code: 0, stdout: 'reverted 001_orders\n' });
    expect(tablesIn(dbFile)).toEqual(['ordersync_migrations', 'ordersync_migrations_lock']);
    const status = await inProcess(['migrate', 'status']);
    expect(status.code).toBe(ExitCode.config);
    expect(status.stdout.trim().split('\n').map((l) => l.split(/\s+/))).toEqual([
      ['001_orders', 'pending'],
      ['002_run_history', 'pending'],
      ['003_value_hash', 'pending'],
      ['004_item_id_unique', 'pending'],
      ['005_board_values', 'pending'],
    ]);
  });

});

describe('ordersync migrate (CLI) errors', () => {
  const cli = (args: string[]) => runMain(args, { cwd: dir });

  it('a bad --to is a usage error (exit 3) naming the value', async () => {
    const r = await cli(['migrate', 'up', '--to', 'two']);
    expect(r.code).toBe(ExitCode.config);
    expect(r.stderr).toContain('--to needs a migration number (got "two")');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('PostgreSQL without its URL variable: exit 3 naming the variable, before any connection', async () => {
    const r = await cli(['migrate', 'status', '--env', 'pg']);
    expect(r.code).toBe(ExitCode.config);
    expect(r.stderr).toBe(
      `ordersync: environment variable ORDERSYNC_TEST_UNSET_URL is not set (database.url_env in ${join(dir, 'ordersync.toml')}, environment "pg")\n`,
    );
  });

  it('a config error exits 3 with file:line', async () => {
    const bad = join(dir, 'bad.toml');
    writeFileSync(bad, '[staging]\nbatch_size = "twenty"\n');
    const r = await cli(['--config', 'bad.toml', 'migrate', 'up']);
    expect(r.code).toBe(ExitCode.config);
    expect(r.stderr).toMatch(new RegExp(`^ordersync: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: staging\\.batch_size: `));
    expect(existsSync(join(dir, 'ordersync.db'))).toBe(false);
  });
});
