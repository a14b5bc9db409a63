import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, runCli, spawnCli } from '../support/cli.js';
import { opsWorld, type OpsWorld } from '../ops/support.js';

/**
 * Every file ordersync writes holds order data or configuration: it is owner-only (0600)
 * from its first byte, whatever the umask lets through. The children run under umask 022,
 * the usual default that makes files 0644.
 */
process.umask(0o022);

const mode = (path: string) => statSync(path).mode & 0o777;

/** Every regular file under `dir`, with its mode as octal text (for readable failures). */
function modes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out[p.slice(dir.length + 1)] = mode(p).toString(8);
    }
  };
  walk(dir);
  return out;
}

const allPrivate = (m: Record<string, string>) => Object.fromEntries(Object.keys(m).map((k) => [k, '600']));

let w: OpsWorld;
const env = () => ({ MONDAY_API_TOKEN: w.emulator.token });
const cli = (args: string[]) => runCli(['--config', w.file, ...args], { cwd: w.dir, env: env(), timeoutMs: 60_000 });

beforeAll(async () => {
  w = await opsWorld({ orders: 10 });
  await w.db.close();
  // ~40 MB of pages, so a backup takes long enough to be watched and interrupted.
  const raw = new Database(join(w.dir, 'ordersync.db'));
  raw.exec('create table filler (b blob)');
  const insert = raw.prepare('insert into filler values (randomblob(1000000))');
  for (let i = 0; i < 40; i++) insert.run();
  raw.close();
});
afterAll(async () => {
  await w?.close();
});

describe('files ordersync writes are 0600 from the first byte', () => {
  it('backup: while it is written, when it is interrupted, and when done', async () => {
    const outDir = join(w.dir, 'backups');
    mkdirSync(outDir);
    // Watch the folder while the backup runs: every file that ever shows up must be 0600.
    const seen = new Map<string, number>();
    const child = spawnCli(['--config', w.file, 'backup', '--out', join(outDir, 'b1.db')], { cwd: w.dir, env: env() });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let running = true;
    void exited.then(() => (running = false));
    while (running) {
      for (const name of readdirSync(outDir)) {
        try {
          const m = mode(join(outDir, name));
          if (!seen.has(name) || m !== 0o600) seen.set(name, m);
        } catch {
          /* renamed away between readdir and stat */
        }
      }
      await new Promise((r) => setImmediate(r));
    }
    expect(await exited).toBe(0);
    expect(seen.size).toBeGreaterThan(0);
    expect(Object.fromEntries([...seen].map(([k, v]) => [k, v.toString(8)]))).toEqual(Object.fromEntries([...seen.keys()].map((k) => [k, '600'])));
    expect(mode(join(outDir, 'b1.db'))).toBe(0o600);

    // SIGKILL as soon as the first byte is on disk: what is left is private too.
    const killedDir = join(w.dir, 'killed');
    mkdirSync(killedDir);
    const victim = spawnCli(['--config', w.file, 'backup', '--out', join(killedDir, 'b2.db')], { cwd: w.dir, env: env() });
    const gone = new Promise((resolve) => victim.on('exit', resolve));
    while (readdirSync(killedDir).length === 0 && victim.exitCode === null) await new Promise((r) => setImmediate(r));
    victim.kill('SIGKILL');
    await gone;
    const left = modes(killedDir);
    expect(Object.keys(left).length).toBeGreaterThan(0);
    expect(left).toEqual(allPrivate(left));
  });

  it('report --out, also over an existing world-readable file', async () => {
    const fresh = join(w.dir, 'report.md');
    expect((await cli(['report', '--out', fresh])).code).toBe(0);
    expect(mode(fresh)).toBe(0o600);
    const old = join(w.dir, 'old-report.html');
    writeFileSync(old, 'stale', { mode: 0o644 });
    expect((await cli(['report', '--format', 'html', '--out', old])).code).toBe(0);
    expect(mode(old)).toBe(0o600);
  });

  it('board snapshots', async () => {
    expect((await cli(['board', 'snapshot'])).code).toBe(0);
    const snaps = modes(join(w.dir, 'boards'));
    expect(Object.keys(snaps).length).toBe(2);
    expect(snaps).toEqual(allPrivate(snaps));
  });

  it('gen: sample CSVs and their summaries', async () => {
    const out = join(w.dir, 'sample');
    const r = await runCli(['gen', '--orders', '20', '--next-day', '--out', out], { cwd: w.dir });
    expect(r.code).toBe(0);
    const files = modes(out);
    expect(Object.keys(files).sort()).toEqual(['staging-day0.csv', 'staging-day1.csv', 'staging-day1.summary.json']);
    expect(files).toEqual(allPrivate(files));
  });

  it('demo and init: config, database, emulator state', async () => {
    const demoDir = join(w.dir, 'demo');
    const demo = await runCli(['demo', '--dir', demoDir, '--orders', '12'], { cwd: w.dir, timeoutMs: 120_000 });
    expect(demo.code, demo.stderr).toBeLessThan(3);
    const files = modes(demoDir);
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['ordersync.toml', 'ordersync.db', 'board-state.json']));
    expect(files).toEqual(allPrivate(files));

    const initDir = join(w.dir, 'fresh');
    mkdirSync(initDir);
    expect((await runCli(['init'], { cwd: initDir })).code).toBe(0);
    expect(modes(initDir)).toEqual({ 'ordersync.toml': '600' });
  });

  it('the emulator --state file', async () => {
    const dir = join(w.dir, 'emu');
    mkdirSync(dir);
    const state = join(dir, 'state.json');
    const child = spawn(process.execPath, [CLI_BIN, 'emulator', '--port', '0', '--state', state], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const banner = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          if (/Ctrl-C/.test(out)) resolve(out);
        });
        child.once('exit', (code) => reject(new Error(`emulator exited ${code}: ${out}`)));
      });
      const url = /url:\s+(\S+)/.exec(banner)![1]!;
      const token = /token:\s+(\S+)/.exec(banner)![1]!;
      // A write makes the emulator save its state.
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: token, 'api-version': '2026-10' },
        body: JSON.stringify({ query: 'mutation { create_group (board_id: 9000000001, group_name: "G") { id } }' }),
      });
      expect(res.status).toBe(200);
      const deadline = Date.now() + 10_000;
      while (!Object.keys(modes(dir)).includes('state.json') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      // The state file and the journal of writes since it was compacted (src/emulator/persistence.ts).
      expect(modes(dir)).toEqual({ 'state.json': '600', 'state.json.journal': '600' });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
