import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/jobs/run.js';
import { snapshotPath } from '../../src/monday/snapshot-files.js';
import { runCli } from '../support/cli.js';
import { closedPort, webhook } from '../support/webhook.js';
import { takeSnapshots, world, type World } from './support.js';

describe('doctor and backup', () => {
  let w: World;
  const cli = (args: string[], env: Record<string, string | undefined> = {}) => runCli(['--config', w.file, ...args], { cwd: w.dir, env: { ...w.env, ...env } });

  beforeAll(async () => {
    w = await world({ orders: 10 });
    await w.load('dev', w.rows);
    const cfg = w.config('dev');
    await takeSnapshots(cfg, w.client());
    const db = await w.open('dev');
    const r = await runJob(db, cfg, { command: 'run', envVars: { ...process.env, ...w.env } as NodeJS.ProcessEnv });
    await db.close();
    expect(r.status).toBe('OK');
  }, 30_000);
  afterAll(async () => {
    await w?.close();
  });

  it.concurrent('passes on a healthy environment (exit 0)', async () => {
    const r = await cli(['--env', 'dev', 'doctor']);
    expect(r.stdout).toMatch(/PASS {2}token: accepted/);
    expect(r.stdout).toMatch(/PASS {2}budget: .* complexity points left/);
    expect(r.stdout).toMatch(/0 warning\(s\), 0 failure\(s\)/);
    expect(r.code).toBe(0);
  });

  it.concurrent('fails with the fix when the token is missing or refused (exit 1)', async () => {
    const missing = await cli(['--env', 'dev', 'doctor'], { MONDAY_API_TOKEN: undefined });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/FAIL {2}token: MONDAY_API_TOKEN is not set/);
    const wrong = await cli(['--env', 'dev', 'doctor', '--json'], { MONDAY_API_TOKEN: 'not-the-token' });
    expect(wrong.code).toBe(1);
    const report = JSON.parse(wrong.stdout) as { checks: Array<{ name: string; status: string; fix?: string }> };
    expect(report.checks.find((c) => c.name === 'token')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/MONDAY_API_TOKEN/) });
  });

  it.concurrent('checks where alerts go: a malformed webhook URL or one nothing answers fails; a live one passes and is posted nothing', async () => {
    const malformed = await cli(['--env', 'dev', 'doctor'], { ORDERSYNC_ALERT_WEBHOOK: 'hooks.slack.com/services/x' });
    expect(malformed.code).toBe(1);
    expect(malformed.stdout).toMatch(/FAIL {2}alerts: ORDERSYNC_ALERT_WEBHOOK is not an http\(s\) URL .*no alert would arrive/);
    const port = await closedPort();
    const refused = await cli(['--env', 'dev', 'doctor'], { ORDERSYNC_ALERT_WEBHOOK: `http://127.0.0.1:${port}/hook` });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(new RegExp(`FAIL {2}alerts: webhook 127\\.0\\.0\\.1:${port} \\(ORDERSYNC_ALERT_WEBHOOK\\) cannot be reached: .*ECONNREFUSED`));
    const hook = await webhook();
    try {
      const live = await cli(['--env', 'dev', 'doctor'], { ORDERSYNC_ALERT_WEBHOOK: hook.url });
      expect(live.stdout).toMatch(/PASS {2}alerts: webhook 127\.0\.0\.1:\d+ answers \(HTTP \d+ to a HEAD, nothing posted\)/);
      expect(live.code, live.stdout).toBe(0);
      expect(hook.received).toEqual([]);
    } finally {
      hook.close();
    }
    const unset = await cli(['--env', 'dev', 'doctor', '--offline']);
    expect(unset.stdout).toMatch(/PASS {2}alerts: no webhook \(ORDERSYNC_ALERT_WEBHOOK is not set\)/);
  });

  it.concurrent('fails when migrations are not applied (prod has no database yet)', async () => {
    const r = await cli(['--env', 'prod', 'doctor', '--offline']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL {2}database: SQLite file .*prod\.db does not exist/);
    expect(r.stdout).toMatch(/fix: create it with `ordersync migrate up --env prod`/);
  });

  it.concurrent('exits 3 on a config error', async () => {
    const r = await cli(['--env', 'nope', 'doctor']);
    expect(r.code).toBe(3);
  });

  it('lists board drift against the snapshot: added, removed, retyped columns and removed labels', async () => {
    const cfg = w.config('dev');
    const path = snapshotPath(cfg, cfg.settings, 'dev', 'items');
    const original = readFileSync(path, 'utf8');
    try {
      const snap = JSON.parse(original) as { columns: Array<{ id: string; title: string; type: string; settings?: { labels?: Array<{ id: number; label: string }> } }> };
      // The snapshot says: a column the board no longer has, a text column that is now long_text
      // on the board, a label since removed; and it lacks a column the board has since gained.
      snap.columns.push({ id: 'text_gone', title: 'Gone', type: 'text' });
      const style = snap.columns.find((c) => c.id === 'long_text_mktdy7re');
      if (style) style.type = 'text';
      const drop = snap.columns.find((c) => c.id === 'dropdown_mkr5w5e');
      drop?.settings?.labels?.push({ id: 999, label: 'WITHDRAWN' });
      const added = snap.columns.findIndex((c) => c.id === 'dropdown_mkr5kk5');
      snap.columns.splice(added, 1);
      writeFileSync(path, JSON.stringify(snap));
      const r = await cli(['--env', 'dev', 'doctor']);
      expect(r.code, r.stdout).toBe(1);
      expect(r.stdout).toMatch(/FAIL {2}items_drift: mapped column\(s\) long_text_mktdy7re removed or retyped on board 9000000001/);
      expect(r.stdout).toMatch(/column added: dropdown_mkr5kk5/);
      expect(r.stdout).toMatch(/column removed: text_gone "Gone" \(text\)/);
      expect(r.stdout).toMatch(/column retyped: long_text_mktdy7re .* text → long_text/);
      expect(r.stdout).toMatch(/label removed: dropdown_mkr5w5e "WITHDRAWN"/);
      expect(r.stdout).toMatch(/fix: review the change, then `ordersync board snapshot --env dev`/);
    } finally {
      writeFileSync(path, original);
    }
  });

  it('backs SQLite up online and the copy restores the rows', async () => {
    const out = join(w.dir, 'backup', 'dev-backup.db');
    const r = await cli(['--env', 'dev', 'backup', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
    const again = await cli(['--env', 'dev', 'backup', '--out', out]);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/exists; pass --force/);

    // Restore = put the file in place of database.sqlite_path; read the rows back from it.
    const live = new Database(join(w.dir, 'dev.db'), { readonly: true });
    const copy = new Database(out, { readonly: true });
    const q = 'select order_key, row_hash, sync_state, monday_item_id from orders order by order_key';
    expect(copy.prepare(q).all()).toEqual(live.prepare(q).all());
    expect((copy.prepare(q).all() as unknown[]).length).toBe(10);
    expect(copy.prepare('select count(*) as n from sync_runs').get()).toEqual(live.prepare('select count(*) as n from sync_runs').get());
    live.close();
    copy.close();
    const restoredCfg = join(w.dir, 'restored.toml');
    writeFileSync(restoredCfg, readFileSync(w.file, 'utf8').replace('sqlite_path = "dev.db"', `sqlite_path = ${JSON.stringify(out)}`));
    const status = await runCli(['--config', restoredCfg, '--env', 'dev', 'migrate', 'status'], { cwd: w.dir, env: w.env });
    expect(status.code, status.stderr).toBe(0);
  });

  it.concurrent('prints the pg_dump command for PostgreSQL, naming the URL variable only', async () => {
    const file = join(w.dir, 'pg.toml');
    writeFileSync(file, readFileSync(w.file, 'utf8').replace('[env.prod.database]\nsqlite_path = "prod.db"', '[env.prod.database]\ndialect = "postgres"\nurl_env = "ORDERSYNC_PROD_DATABASE_URL"'));
    const r = await runCli(['--config', file, '--env', 'prod', 'backup', '--out', 'prod.dump', '--print-command'], { cwd: w.dir, env: { ...w.env, ORDERSYNC_PROD_DATABASE_URL: 'postgres://u:secretpw@db/x' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/pg_dump --format=custom --strict-names --no-password '--table="orders"' '--table="order_lines"' .* --file=prod\.dump --dbname="\$ORDERSYNC_PROD_DATABASE_URL"/);
    expect(r.stdout).not.toMatch(/secretpw/);
  });
});
