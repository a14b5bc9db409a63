import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnknownColumnError } from '../../src/monday/values.js';
import { failureOf } from '../../src/sync/failures.js';
import { adviceFor } from '../../src/observe/advice.js';
import { runCli } from '../support/cli.js';
import { DEV_BOARDS, takeSnapshots, twoEnvToml, world, type World } from './support.js';

/** `doctor`, `run` and `config validate` check the mapping against what is really there. */
describe('a preflight that is real', () => {
  let w: World;
  let n = 0;
  beforeAll(async () => {
    w = await world({ orders: 12 });
    await w.load('dev', w.rows);
    await takeSnapshots(w.config('dev'), w.client());
  }, 30_000);
  afterAll(async () => {
    await w?.close();
  });

  /** A folder with the dev database, the snapshots and the two-environment file plus `extra`. */
  function caseDir(extra: string, toml = twoEnvToml(w.emulator.url, extra)): { dir: string; file: string } {
    const dir = join(w.dir, `case-${++n}`);
    mkdirSync(dir);
    cpSync(join(w.dir, 'boards'), join(dir, 'boards'), { recursive: true });
    cpSync(join(w.dir, 'dev.db'), join(dir, 'dev.db'));
    const file = join(dir, 'ordersync.toml');
    writeFileSync(file, toml);
    return { dir, file };
  }
  const cli = (c: { dir: string; file: string }, args: string[], env: Record<string, string | undefined> = {}) =>
    runCli(['--config', c.file, '--env', 'dev', ...args], { cwd: c.dir, env: { ...w.env, ...env } });
  const typo = '[env.dev.mapping.columns]\n"CUSTOMER STYLE" = "text_typo0000"\n';

  it('doctor checks every mapped column against the live board: a typo fails, naming the column', async () => {
    const good = await cli(caseDir(''), ['doctor']);
    expect(good.stdout).toMatch(/PASS {2}mapping: every mapped column \(\d+\) exists on the live boards/);

    const r = await cli(caseDir(typo), ['doctor', '--json']);
    expect(r.code).toBe(1);
    const mapping = (JSON.parse(r.stdout) as { checks: Array<{ name: string; status: string; details?: string[]; fix?: string }> }).checks.find((c) => c.name === 'mapping');
    expect(mapping).toMatchObject({ status: 'fail', fix: expect.stringContaining(adviceFor('InvalidColumnIdException').action) });
    expect(mapping?.details).toContainEqual(`error: mapping.columns."CUSTOMER STYLE": column text_typo0000 does not exist on board ${DEV_BOARDS.items} (Customer Master Schedule)`);
  });

  it('run refuses to send anything when the mapping does not fit the live board (exit 3, column named)', async () => {
    const c = caseDir(typo);
    const r = await cli(c, ['run']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^ordersync: the mapping of environment "dev" does not fit the live boards, so the run sent nothing to monday: mapping\.columns\."CUSTOMER STYLE": column text_typo0000 does not exist on board 9000000001/m);
    const db = new Database(join(c.dir, 'dev.db'), { readonly: true });
    try {
      // Refused before any write: nothing merged, nothing sent, no row failed as if its data were wrong.
      expect(db.prepare('select count(*) as n from orders').get()).toEqual({ n: 0 });
      expect(db.prepare('select command, status from sync_runs').all()).toEqual([{ command: 'run', status: 'FAILED' }]);
      expect(db.prepare('select count(*) as n from run_lock').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
    expect((await w.client().boardItems(DEV_BOARDS.items, { pageSize: 25 })).length).toBe(0);
  });

  it('a column the board does not have is classified InvalidColumnIdException, with its advice', () => {
    const f = failureOf(new UnknownColumnError('text_typo0000', 'text_typo0000', 'unknown', 'x', 'no such column on board 1 (b)'));
    expect(f).toMatchObject({ code: 'InvalidColumnIdException', column: 'text_typo0000', permanent: true });
    expect(adviceFor(f.code).action).toMatch(/fix \[mapping\.columns\]/);
  });

  describe('config validate', () => {
    it('compares resolved database files: ./dev.db and dev.db are one file', async () => {
      const c = caseDir('', twoEnvToml(w.emulator.url).replace('sqlite_path = "prod.db"', 'sqlite_path = "./dev.db"'));
      const r = await runCli(['--config', c.file, 'config', 'validate', '--all'], { cwd: c.dir, env: w.env });
      expect(r.code).toBe(3);
      expect(r.stdout).toContain(`environments "dev" and "prod" share the SQLite database ${join(c.dir, 'dev.db')} (written "dev.db" and "./dev.db"); each environment needs its own`);
    });

    it('compares PostgreSQL URLs as normalised: two variables holding one database', async () => {
      const pgToml = ['[env.a.database]', 'dialect = "postgres"', 'url_env = "A_URL"', '[env.b.database]', 'dialect = "postgres"', 'url_env = "B_URL"'].join('\n');
      const c = caseDir('', pgToml);
      const r = await runCli(['--config', c.file, 'config', 'validate', '--all'], {
        cwd: c.dir,
        env: { ...w.env, A_URL: 'postgres://app:secret@DB.example.com/orders', B_URL: 'postgresql://app@db.example.com:5432/orders?sslmode=require' },
      });
      expect(r.code).toBe(3);
      expect(r.stdout).toContain('environments "a" and "b" share the PostgreSQL database db.example.com:5432/orders (written "A_URL" and "B_URL")');
    });

    it('checks the staging table columns when the database is reachable', async () => {
      const c = caseDir('[env.dev.mapping.columns]\n"BUYER NOTE" = "text_mktdechp"\n');
      const r = await cli(c, ['config', 'validate']);
      expect(r.code).toBe(3);
      expect(r.stdout).toMatch(/\[env\.dev\] staging\.table: .*"BUYER NOTE"/);
    });

    it('tells a stale snapshot (labels the board gained since) from a real mismatch', async () => {
      const stale = caseDir('');
      const snapFile = join(stale.dir, 'boards', 'dev.items.json');
      const snap = JSON.parse(readFileSync(snapFile, 'utf8')) as { columns: Array<{ id: string; settings?: { labels?: Array<{ label: string }> } }> };
      const orderType = snap.columns.find((col) => col.id === 'dropdown_mkr518fc');
      const staged = new Set(w.rows.map((r) => String(r['ORDER TYPE'] ?? '').toLowerCase()));
      // The snapshot from before the board had the labels in use.
      orderType!.settings!.labels = orderType!.settings!.labels!.filter((l) => !staged.has(l.label.toLowerCase()));
      writeFileSync(snapFile, JSON.stringify(snap));
      const r = await cli(stale, ['config', 'validate']);
      expect(r.code, r.stdout).toBe(0);
      expect(r.stdout).toMatch(/warn: .* mapping\.columns\."ORDER TYPE": the board snapshot is stale: the live board has the labels it lacks .*; re-take it with `ordersync board snapshot --env dev`/);

      const real = caseDir('');
      const db = new Database(join(real.dir, 'dev.db'));
      db.prepare(`update "${w.config('dev').settings.staging.table}" set "ORDER TYPE" = 'WEIRD TYPE' where rowid = 1`).run();
      db.close();
      const mismatch = await cli(real, ['config', 'validate']);
      expect(mismatch.code).toBe(3);
      expect(mismatch.stdout).toMatch(/error: .* mapping\.columns\."ORDER TYPE": 1 staged value\(s\) of "ORDER TYPE" are not labels of dropdown_mkr518fc .*"WEIRD TYPE"/);
    });
  });
});
