import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWKWARD_TABLES, cliWorld, freshPgDatabase, pgRowCounts, type CliWorld } from './cli-world.js';

const OWNED = ['Orders', 'order lines', 'sync_runs', String.raw`ev\x`, 'api_log', 'monday_groups', 'run_lock', 'board_schemas', 'ordersync_migrations', 'ordersync_migrations_lock'].sort();

function sqliteCounts(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name").pluck().all() as string[];
    return Object.fromEntries(tables.map((t) => [t, (db.prepare(`select count(*) from "${t.replaceAll('"', '""')}"`).pluck().get() as number)]));
  } finally {
    db.close();
  }
}

describe('backup on SQLite', () => {
  let w: CliWorld;
  beforeAll(async () => {
    w = await cliWorld({ databaseToml: AWKWARD_TABLES });
    await w.prepare();
  }, 120_000);
  afterAll(() => w?.close());

  it('writes an owner-only copy whose every table has the live row count', async () => {
    const r = await w.cli(['backup', '--out', 'backups/dev.db']);
    expect(r.code, r.stderr).toBe(0);
    const out = join(w.dir, 'backups', 'dev.db');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const live = sqliteCounts(join(w.dir, 'ordersync.db'));
    expect(Object.keys(live)).toEqual(expect.arrayContaining(OWNED));
    expect(live.Orders).toBe(20);
    expect(sqliteCounts(out)).toEqual(live);
  });
});

describe('backup on PostgreSQL', () => {
  let w: CliWorld;
  let live: Awaited<ReturnType<typeof freshPgDatabase>>;
  let restored: Awaited<ReturnType<typeof freshPgDatabase>>;
  beforeAll(async () => {
    live = await freshPgDatabase();
    restored = await freshPgDatabase();
    w = await cliWorld({
      databaseToml: `${AWKWARD_TABLES}\n[env.dev.database]\ndialect = "postgres"\nurl_env = "PG_URL"\n`,
      env: { PG_URL: live.url },
    });
    await w.prepare();
  }, 120_000);
  afterAll(async () => {
    await w?.close();
    await live?.drop();
    await restored?.drop();
  });

  it('runs pg_dump: a 0600 custom-format file that restores every owned table with its rows', async () => {
    const r = await w.cli(['backup', '--out', 'prod.dump', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const file = join(w.dir, 'prod.dump');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(r.stdout)).toMatchObject({ dialect: 'postgres', file });
    execFileSync('pg_restore', ['--no-owner', `--dbname=${restored.url}`, file]);
    const before = await pgRowCounts(live.url);
    const after = await pgRowCounts(restored.url);
    expect(Object.keys(after).sort()).toEqual(OWNED);
    expect(after.Orders).toBe(20);
    for (const t of OWNED) expect(after[t], t).toBe(before[t]);
  });

  it('--print-command prints a command that, run as printed, dumps every table (names quoted, --strict-names)', async () => {
    const r = await w.cli(['backup', '--out', 'printed.dump', '--print-command']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`'--table="Orders"'`);
    expect(r.stdout).toContain('--strict-names');
    expect(r.stdout).not.toContain(live.url);
    const command = r.stdout.split('\n').find((l) => l.startsWith('pg_dump '));
    expect(command).toBeDefined();
    execFileSync('sh', ['-c', command ?? ''], { cwd: w.dir, env: { ...process.env, PG_URL: live.url } });
    const listing = execFileSync('pg_restore', ['--list', join(w.dir, 'printed.dump')], { encoding: 'utf8' });
    const dumped = [...listing.matchAll(/ TABLE DATA public (.+) \S+$/gm)].map((m) => m[1]).sort();
    expect(dumped).toEqual(OWNED);
  });

  it('exits non-zero and leaves no file when pg_dump is missing or fails', async () => {
    const missing = await w.cli(['backup', '--out', 'missing.dump'], { PATH: '/nonexistent' });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/pg_dump not found on PATH/);
    expect(existsSync(join(w.dir, 'missing.dump'))).toBe(false);

    const empty = await freshPgDatabase();
    try {
      const failed = await w.cli(['backup', '--out', 'failed.dump'], { PG_URL: empty.url });
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/pg_dump failed \(exit 1\): .*no matching tables/);
      expect(existsSync(join(w.dir, 'failed.dump'))).toBe(false);
      expect(existsSync(join(w.dir, 'failed.dump.partial'))).toBe(false);
    } finally {
      await empty.drop();
    }
  });
});
