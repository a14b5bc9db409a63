import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStaging, type StagingRow } from '../../src/sampledata/index.js';
import { collect, runCli, spawnCli, waitForLine, type CliResult } from '../support/cli.js';
import { createRelEnv, type RelEnv } from './support/env.js';

/**
 * Issue 8 §6: a full scenario (merge, sync with failures, status, reports in every format,
 * config show, plan, the dashboard over HTTP) with a recognisable monday token and
 * dashboard token; neither appears in any output or any file written, the database dump
 * included. The SQLite file is owner-only. The dashboard refuses requests without the token
 * when bound beyond loopback, and the HTML report escapes values.
 */

const TOKEN = 'tok-SECRET-4f9e1c-monday-DO-NOT-LEAK';
const DASH_TOKEN = 'dash-SECRET-77aa-DO-NOT-LEAK';
const XSS = '<script>alert("x")</script>';

function allFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...allFiles(p));
    else out.push(p);
  }
  return out;
}

describe('secrets never leak', () => {
  let env: RelEnv;
  const outputs: Array<{ what: string; text: string }> = [];
  const cli = async (args: string[], extra: Record<string, string | undefined> = {}): Promise<CliResult> => {
    const r = await runCli(['--config', env.configPath, ...args], { cwd: env.dir, env: { ...env.envVars, ORDERSYNC_DASHBOARD_TOKEN: DASH_TOKEN, ...extra }, timeoutMs: 60_000 });
    outputs.push({ what: args.join(' '), text: `${r.stdout}\n${r.stderr}` });
    return r;
  };

  beforeAll(async () => {
    env = await createRelEnv({ token: TOKEN, batchSize: 5 });
  });
  afterAll(async () => env?.close());

  it('the token appears in no output, no file and no table; files are owner-only', { timeout: 120_000 }, async () => {
    const rows: StagingRow[] = [...generateStaging({ seed: 99, orders: 15, customers: 2 }).rows];
    (rows[0] as StagingRow)['CUSTOMER STYLE'] = XSS;
    (rows[1] as StagingRow)['CUSTOMER STYLE'] = 'X'.repeat(300); // fails its row
    await env.load(rows);
    await env.closeDb();

    env.emulator.faults.next(2, '500', { mutationsOnly: true });
    env.emulator.faults.next(1, 'alias_error', { aliasIndex: 1 });
    await cli(['run', '--log-format', 'json']);
    env.emulator.faults.next(1, '429', { retryInSeconds: 1 });
    await cli(['run', '--json']);
    await cli(['status']);
    await cli(['status', '--json']);
    for (const format of ['md', 'json', 'html']) await cli(['report', '--format', format]);
    await cli(['report', '--format', 'html', '--out', join(env.dir, 'report.html')]);
    await cli(['config', 'show']);
    await cli(['plan']);
    await cli(['doctor']);
    // A wrong token: the error must not echo what was sent.
    await cli(['run'], { MONDAY_API_TOKEN: `${TOKEN}-wrong` });

    // The dashboard on loopback: every page and API.
    const srv = spawnCli(['--config', env.configPath, 'serve', '--port', '0'], { cwd: env.dir, env: { ...env.envVars, ORDERSYNC_DASHBOARD_TOKEN: DASH_TOKEN } });
    const done = collect(srv, 60_000).catch(() => undefined);
    try {
      const line = await waitForLine(srv, /listening on (http:\/\/\S+)/, 30_000);
      const base = (/listening on (http:\/\/[^\s(]+)/.exec(line) as RegExpExecArray)[1] as string;
      for (const path of ['/', '/dashboard.js', '/api/overview', '/api/report', '/metrics', '/healthz', '/readyz']) {
        const res = await fetch(new URL(path, base));
        const text = await res.text();
        outputs.push({ what: `GET ${path}`, text });
        // The dashboard's values reach the page escaped by the server or as text: its script never assigns innerHTML.
        if (path === '/dashboard.js') expect(text).not.toMatch(/\.innerHTML\s*=|insertAdjacentHTML|document\.write/);
      }
    } finally {
      srv.kill('SIGTERM');
      await done;
    }

    for (const o of outputs) {
      expect(o.text.includes(TOKEN), `token in the output of ${o.what}`).toBe(false);
      expect(o.text.includes(DASH_TOKEN), `dashboard token in the output of ${o.what}`).toBe(false);
    }
    const dbPath = (env.test.target as { path: string }).path;
    const files = [...allFiles(env.dir), ...allFiles(join(dbPath, '..'))];
    for (const f of files) {
      const bytes = readFileSync(f);
      expect(bytes.includes(TOKEN), `token in ${f}`).toBe(false);
      expect(bytes.includes(DASH_TOKEN), `dashboard token in ${f}`).toBe(false);
    }
    // Every table, read back (the WAL checkpointed into the dump).
    const db = new Database(dbPath, { readonly: true });
    const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>;
    let cells = 0;
    for (const { name } of tables) {
      for (const row of db.prepare(`select * from "${name.replaceAll('"', '""')}"`).all() as Array<Record<string, unknown>>) {
        const text = JSON.stringify(row);
        cells++;
        expect(text.includes(TOKEN), `token in table ${name}`).toBe(false);
      }
    }
    const apiLog = db.prepare('select count(*) as n from api_log').get() as { n: number };
    db.close();
    expect(apiLog.n, 'the API log was written (and searched)').toBeGreaterThan(5);
    expect(cells).toBeGreaterThan(50);

    // Owner-only files: the database (and its WAL) and the config.
    for (const f of [dbPath, `${dbPath}-wal`]) {
      let mode: number;
      try {
        mode = statSync(f).mode & 0o777;
      } catch {
        continue;
      }
      expect(mode.toString(8), `${f} mode`).toBe('600');
    }
    // The HTML report escapes values.
    const html = readFileSync(join(env.dir, 'report.html'), 'utf8');
    expect(html).not.toContain(XSS);
  });

  it('the dashboard beyond loopback refuses requests without the bearer token', { timeout: 60_000 }, async () => {
    const srv = spawnCli(['--config', env.configPath, 'serve', '--host', '0.0.0.0', '--port', '0'], { cwd: env.dir, env: { ...env.envVars, ORDERSYNC_DASHBOARD_TOKEN: DASH_TOKEN } });
    const done = collect(srv, 60_000).catch(() => undefined);
    try {
      const line = await waitForLine(srv, /listening on (http:\/\/\S+)/, 30_000);
      expect(line).toMatch(/bearer token required/);
      const port = new URL((/listening on (http:\/\/[^\s(]+)/.exec(line) as RegExpExecArray)[1] as string).port;
      const base = `http://127.0.0.1:${port}`;
      for (const path of ['/api/overview', '/api/report', '/metrics']) {
        expect((await fetch(`${base}${path}`)).status, `${path} without a token`).toBe(401);
        expect((await fetch(`${base}${path}`, { headers: { Authorization: 'Bearer wrong' } })).status, `${path} with a wrong token`).toBe(401);
        const ok = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${DASH_TOKEN}` } });
        expect(ok.status, `${path} with the token`).toBe(200);
        expect((await ok.text()).includes(DASH_TOKEN)).toBe(false);
      }
    } finally {
      srv.kill('SIGTERM');
      await done;
    }
    // Without the token variable set, serve refuses to bind beyond loopback at all.
    const r = await runCli(['--config', env.configPath, 'serve', '--host', '0.0.0.0', '--port', '0'], { cwd: env.dir, env: { ...env.envVars, ORDERSYNC_DASHBOARD_TOKEN: undefined }, timeoutMs: 30_000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('ORDERSYNC_DASHBOARD_TOKEN');
  });
});
