import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { starterConfig } from '../../src/config/index.js';
import { ExitCode } from '../../src/errors.js';
import { MondayClient } from '../../src/monday/client.js';
import { runCli } from '../support/cli.js';

/**
 * The token must never travel in clear beyond this machine. A listener on every interface
 * stands in for a monday look-alike reached over plain http: it counts what it receives,
 * so a command that sent the token would show here.
 */
const outside = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
if (!outside) console.warn('[api-url test] no non-loopback IPv4 interface: the send-time tests are skipped');

const dir = mkdtempSync(join(tmpdir(), 'ordersync-api-url-'));
const TOKEN = 'tok-never-in-clear-0123456789';
let listener: Server;
let port = 0;
const received: string[] = [];

beforeAll(async () => {
  listener = createServer((req, res) => {
    received.push(`${req.method} ${req.url} auth=${req.headers.authorization ?? ''}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{}}');
  });
  await new Promise<void>((resolve) => listener.listen(0, '0.0.0.0', resolve));
  port = (listener.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => listener.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function configWith(name: string, apiUrl: string, extra = ''): string {
  const file = join(dir, `${name}.toml`);
  writeFileSync(file, starterConfig({ apiUrl }) + extra, { mode: 0o600 });
  return file;
}

const cli = (file: string, args: string[]) =>
  runCli(['--config', file, ...args], { cwd: dir, env: { MONDAY_API_TOKEN: TOKEN }, timeoutMs: 30_000 });

describe('monday.api_url over plain http', () => {
  it('config validate refuses plain http to a host that is not loopback, naming the key', async () => {
    const file = configWith('remote', 'http://api.monday.com/v2');
    const r = await cli(file, ['config', 'validate']);
    expect(r.code).toBe(ExitCode.config);
    expect(r.stderr).toMatch(/monday\.api_url: plain http:\/\/ to api\.monday\.com would send the token in clear; use https:\/\/ \(plain http is allowed to loopback only/);
  });

  it('refuses it in an overlay too, and any scheme but http(s)', async () => {
    const overlay = configWith('overlay', 'http://127.0.0.1:4000/v2', '\n[env.prod.monday]\napi_url = "http://10.1.2.3:8080/v2"\n');
    const r = await cli(overlay, ['config', 'validate', '--all']);
    expect(r.code).toBe(ExitCode.config);
    expect(r.stderr).toMatch(/env\.prod\.monday\.api_url: plain http:\/\/ to 10\.1\.2\.3/);
    const ftp = configWith('ftp', 'ftp://api.monday.com/v2');
    const f = await cli(ftp, ['config', 'show']);
    expect(f.code).toBe(ExitCode.config);
    expect(f.stderr).toMatch(/monday\.api_url: must be an https:\/\/ URL/);
  });

  it('accepts https anywhere and plain http to 127.0.0.0/8, ::1 and localhost', async () => {
    for (const url of ['https://api.monday.com/v2', 'http://127.0.0.1:4000/v2', 'http://127.8.9.10/v2', 'http://localhost:4000/v2', 'http://[::1]:4000/v2']) {
      const file = configWith('ok', url);
      const r = await cli(file, ['config', 'show', '--json']);
      expect(r.stderr, url).toBe('');
      expect(r.code, url).toBe(0);
    }
  });

  it.skipIf(!outside)('doctor and run never send the token to a plain-http host off this machine', async () => {
    const file = configWith('outside', `http://${outside}:${port}/v2`);
    const doctor = await cli(file, ['doctor']);
    expect(doctor.code).toBe(ExitCode.config);
    expect(doctor.stderr).toMatch(/plain http:\/\//);
    const run = await cli(file, ['run']);
    expect(run.code).toBe(ExitCode.config);
    // The endpoint from a variable (monday.api_url_env) obeys the same rule.
    const viaEnv = join(dir, 'via-env.toml');
    writeFileSync(viaEnv, starterConfig({ apiUrl: 'https://api.monday.com/v2' }).replace('[env.dev.monday]\n', '[env.dev.monday]\napi_url_env = "ORDERSYNC_TEST_API_URL"\n'), { mode: 0o600 });
    const r = await runCli(['--config', viaEnv, 'board', 'snapshot'], { cwd: dir, env: { MONDAY_API_TOKEN: TOKEN, ORDERSYNC_TEST_API_URL: `http://${outside}:${port}/v2` }, timeoutMs: 30_000 });
    expect(r.code).toBe(ExitCode.config);
    expect(r.stderr).toMatch(/ORDERSYNC_TEST_API_URL \(monday\.api_url_env in .*\): plain http:\/\/ to /);
    expect(received).toEqual([]);
  });

  it.skipIf(!outside)('the client refuses such an endpoint before any request', async () => {
    expect(() => new MondayClient({ apiUrl: `http://${outside}:${port}/v2`, apiVersion: '2026-10', token: TOKEN })).toThrow(/plain http:\/\/ to 192|plain http:\/\//);
    expect(received).toEqual([]);
  });
});
