import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliWorld } from '../ops/cli-world.js';
import { CLI_BIN, collect, runCli } from '../support/cli.js';

const root = mkdtempSync(join(tmpdir(), 'ordersync-hints-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** `ordersync` on PATH, as a global install puts it there. */
const shims = join(root, 'bin');
mkdirSync(shims);
writeFileSync(join(shims, 'ordersync'), `#!/bin/sh\nexec "${process.execPath}" "${CLI_BIN}" "$@"\n`);
chmodSync(join(shims, 'ordersync'), 0o755);
const PATH = `${shims}${delimiter}${process.env.PATH ?? ''}`;

function hints(stdout: string): string[] {
  const after = stdout.split('\n').slice(stdout.split('\n').indexOf('next:') + 1);
  return after.map((l) => l.trim()).filter((l) => l.startsWith('ordersync '));
}

/** Runs a printed line through the shell, from a folder of its own (the hints hold absolute paths). */
function sh(line: string, cwd: string, env: Record<string, string | undefined> = {}) {
  return collect(spawn('sh', ['-c', line], { cwd, env: { ...process.env, PATH, ORDERSYNC_ENV: undefined, ORDERSYNC_CONFIG: undefined, CI: undefined, ...env }, detached: true }), 90_000);
}

/** A long-running line (serve, emulator): it must come up; then it is stopped (its own process group). */
async function startsUp(line: string, cwd: string, ready: RegExp): Promise<string> {
  const child = spawn('sh', ['-c', line], { cwd, env: { ...process.env, PATH }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${line}: not up in 30 s\n${out}`)), 30_000);
      const on = (d: Buffer) => {
        out += d.toString();
        if (ready.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', on);
      child.stderr?.on('data', on);
      child.on('exit', (code) => reject(new Error(`${line}: exited ${code}\n${out}`)));
    });
  } finally {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
  }
  return out;
}

describe('printed "next" hints run exactly as printed', () => {
  it('gen, with no config yet: init, migrate up, ingest, merge', async () => {
    const cwd = join(root, 'gen');
    mkdirSync(cwd);
    const r = await runCli(['gen', '--orders', '8', '--out', 'data'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const lines = hints(r.stdout);
    expect(lines.map((l) => l.split(/\s+/)[1])).toEqual(['init', 'migrate', 'ingest', 'merge']);
    for (const line of lines) {
      const x = await sh(line, cwd);
      // ingest exits 2 when gen's realistic mess has rows it rejects (and lists them).
      expect(x.code === 0 || (x.code === 2 && line.includes(' ingest ')), `${line} exited ${x.code}\n${x.stdout}${x.stderr}`).toBe(true);
      if (line.includes(' merge')) expect(x.stdout).toMatch(/merge: \d+ staged rows/);
      if (line.includes(' ingest ')) {
        // ingest's own hint: plan, runnable as printed.
        const plan = /^next: (ordersync .*plan)\s+#/m.exec(x.stdout)?.[1];
        expect(plan, x.stdout).toBeDefined();
        const p = await sh(plan as string, cwd);
        expect(p.code, `${plan}\n${p.stdout}${p.stderr}`).toBe(0);
        expect(p.stdout).toMatch(/^estimate: /m);
      }
    }
  }, 120_000);

  it('demo: status and report run, serve and the emulator come up', async () => {
    const cwd = join(root, 'demo');
    mkdirSync(cwd);
    const r = await runCli(['demo', '--orders', '20', '--dir', 'd'], { cwd, timeoutMs: 120_000 });
    expect(r.code === 0 || r.code === 2, r.stderr).toBe(true);
    const lines = hints(r.stdout);
    expect(lines).toHaveLength(4);
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere);
    for (const line of lines.filter((l) => / (status|report) /.test(l))) {
      const x = await sh(line, elsewhere);
      expect(x.code, `${line}\n${x.stdout}${x.stderr}`).toBe(0);
    }
    const serve = lines.find((l) => / serve /.test(l));
    expect(await startsUp(serve ?? '', elsewhere, /listening|http:\/\/127\.0\.0\.1:8787/)).toMatch(/8787/);
    const emulator = lines.find((l) => / emulator /.test(l));
    expect(await startsUp(emulator ?? '', elsewhere, /emulator listening/)).toMatch(/boards:/);
  }, 240_000);

  it('init points at the emulator, the token and board snapshot', async () => {
    const cwd = join(root, 'init');
    mkdirSync(cwd);
    const r = await runCli(['init'], { cwd });
    expect(r.stdout).toMatch(/^ {2}ordersync emulator .*prints a token$/m);
    expect(r.stdout).toMatch(/^ {2}export MONDAY_API_TOKEN=/m);
    expect(r.stdout).toMatch(/^ {2}ordersync board snapshot/m);
  });

  it('rollback says the next run redoes what it undid unless staging changes', async () => {
    const w = await cliWorld();
    try {
      await w.prepare(3);
      const r = await w.cli(['rollback', '--run', '1']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/the next run redoes this unless staging changes/);
    } finally {
      await w.close();
    }
  }, 120_000);
});
