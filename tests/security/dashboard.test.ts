import { writeFileSync, readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { runJob } from '../../src/jobs/run.js';
import { spawnCli, waitForLine } from '../support/cli.js';
import { opsWorld, type OpsWorld } from '../ops/support.js';

/**
 * `ordersync serve` as a real child process, asked with raw HTTP so the Host header can be
 * anything a DNS-rebinding page would send.
 */
interface Answer {
  status: number;
  body: string;
}

function get(base: string, path: string, host?: string): Promise<Answer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers: host === undefined ? {} : { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

let w: OpsWorld;
const servers: ChildProcess[] = [];

async function serve(configFile: string): Promise<{ url: string; port: string; child: ChildProcess; stderr: () => string }> {
  const child = spawnCli(['--config', configFile, 'serve', '--port', '0'], { cwd: w.dir, env: { MONDAY_API_TOKEN: w.emulator.token } });
  servers.push(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const line = await waitForLine(child, /listening on http:\/\/\S+/);
  const url = /http:\/\/\S+/.exec(line)![0].replace(/[;,]$/, '');
  return { url, port: new URL(url).port, child, stderr: () => stderr };
}

beforeAll(async () => {
  w = await opsWorld({ orders: 20 });
  await runJob(w.db, w.cfg, { command: 'run', envVars: w.envVars });
  await w.db.close();
});
afterAll(async () => {
  for (const s of servers) s.kill('SIGKILL');
  await w?.close();
});

describe('dashboard Host check (DNS rebinding)', () => {
  let srv: { url: string; port: string };
  beforeAll(async () => {
    srv = await serve(w.file);
  });

  it('answers its own loopback names', async () => {
    for (const host of [`127.0.0.1:${srv.port}`, `localhost:${srv.port}`, `LOCALHOST:${srv.port}`, `[::1]:${srv.port}`]) {
      const r = await get(srv.url, '/api/overview', host);
      expect(r.status, host).toBe(200);
      expect(JSON.parse(r.body)).toHaveProperty('customers');
    }
  });

  it('refuses any other Host with 421 and no data, on every path', async () => {
    for (const path of ['/', '/api/overview', '/api/dashboard', '/api/report', '/api/order?key=x', '/metrics', '/readyz', '/healthz']) {
      for (const host of [`rebind.attacker.example:${srv.port}`, 'rebind.attacker.example', `127.0.0.1.attacker.example:${srv.port}`]) {
        const r = await get(srv.url, path, host);
        expect(r.status, `${path} ${host}`).toBe(421);
        expect(r.body).not.toMatch(/customers|ordersync_|<html/i);
      }
    }
  });

  it('answers names listed in [server].allowed_hosts (ports ignored, case-insensitive)', async () => {
    const file = w.file.replace(/\.toml$/, '-hosts.toml');
    writeFileSync(file, `${readFileSync(w.file, 'utf8')}\n[server]\nallowed_hosts = ["Ordersync.Internal"]\n`, { mode: 0o600 });
    const named = await serve(file);
    expect((await get(named.url, '/api/overview', 'ordersync.internal:443')).status).toBe(200);
    expect((await get(named.url, '/api/overview', 'other.internal')).status).toBe(421);
  });
});

describe('dashboard API parameters', () => {
  let srv: { url: string; child: ChildProcess; stderr: () => string };
  beforeAll(async () => {
    srv = await serve(w.file);
  });

  const INTERNALS = /select|from|where|sqlite|syntax|stack|\bat\s|\.ts:|\.js:/i;

  it('answers a bad run id with 400 and a clear message, never SQL', async () => {
    for (const run of ['abc', '1.5', '-1', '0', '1e3', '99999999999999999999', '']) {
      const r = await get(srv.url, `/api/report?run=${encodeURIComponent(run)}`);
      expect(r.status, `run=${run}`).toBe(400);
      const body = JSON.parse(r.body) as { error: string };
      expect(body.error).toMatch(/^run must be a run id \(a positive integer\)/);
      expect(body.error.replace(/run id|positive integer|run must be/g, '')).not.toMatch(INTERNALS);
    }
    const twice = await get(srv.url, '/api/report?run=1&run=2');
    expect(twice.status).toBe(400);
    expect(JSON.parse(twice.body).error).toBe('run is given more than once');
  });

  it('answers an unknown run with 404, a known one with 200', async () => {
    const missing = await get(srv.url, '/api/report?run=99');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ error: 'no run #99 in environment "dev"' });
    expect((await get(srv.url, '/api/report?run=1')).status).toBe(200);
    expect((await get(srv.url, '/api/report')).status).toBe(200);
  });

  it('checks customer and key, and refuses parameters a route does not take', async () => {
    expect((await get(srv.url, '/api/report?customer=')).status).toBe(400);
    expect((await get(srv.url, `/api/report?customer=${'x'.repeat(1001)}`)).status).toBe(400);
    const noKey = await get(srv.url, '/api/order');
    expect(noKey.status).toBe(400);
    expect(JSON.parse(noKey.body)).toEqual({ error: 'key is required (an order key)' });
    expect((await get(srv.url, `/api/order?key=${'k'.repeat(1001)}`)).status).toBe(400);
    const unknown = await get(srv.url, '/api/overview?run=1');
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.body)).toEqual({ error: 'unknown parameter "run" (/api/overview takes none)' });
    expect((await get(srv.url, '/api/dashboard?x=1')).status).toBe(400);
    expect((await get(srv.url, '/api/dashboard')).status).toBe(200);
    expect(JSON.parse((await get(srv.url, '/api/order?key=a&customer=b')).body)).toEqual({ error: 'unknown parameter "customer" (/api/order takes key)' });
  });

  it('hides internals when the database fails: 500 with a generic message, details in the server log', async () => {
    const raw = new Database(w.cfg.settings.database.sqlite_path.startsWith('/') ? w.cfg.settings.database.sqlite_path : `${w.dir}/${w.cfg.settings.database.sqlite_path}`);
    raw.exec('ALTER TABLE sync_runs RENAME TO sync_runs_gone');
    try {
      const r = await get(srv.url, '/api/report?run=1');
      expect(r.status).toBe(500);
      expect(JSON.parse(r.body)).toEqual({ error: 'internal error; the server log has the details' });
    } finally {
      raw.exec('ALTER TABLE sync_runs_gone RENAME TO sync_runs');
      raw.close();
    }
    srv.child.kill('SIGTERM');
    await new Promise((resolve) => srv.child.once('exit', resolve));
    expect(srv.stderr()).toMatch(/"msg":"request failed".*"path":"\/api\/report".*no such table/);
  });
});
