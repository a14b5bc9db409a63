import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerMasterScheduleSeed, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { CLI_BIN, collect, REPO_ROOT } from '../support/cli.js';

const PAGE = join(REPO_ROOT, 'docs', 'setup.md');
const page = readFileSync(PAGE, 'utf8');

/** The page's fenced blocks of one info string, in order. */
function blocks(lang: string): string[] {
  return [...page.matchAll(/^```(\S*)\n([\s\S]*?)^```$/gm)].filter((m) => m[1] === lang).map((m) => m[2] ?? '');
}

let emulator: RunningEmulator;
const dir = mkdtempSync(join(tmpdir(), 'ordersync-setup-doc-'));
beforeAll(async () => {
  emulator = await startEmulator({ seed: customerMasterScheduleSeed(), timeScale: 60 });
});
afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('docs/setup.md', () => {
  it('is linked from the README\'s Documentation line', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme.slice(readme.indexOf('## Documentation'))).toContain('(docs/setup.md)');
  });

  it('names the two variables the walk-through needs, which the test sets as a rehearsal would', () => {
    const setup = blocks('text').join('\n');
    expect(setup).toMatch(/^export MONDAY_API_URL=/m);
    expect(setup).toMatch(/^export MONDAY_API_TOKEN=/m);
  });

  it('walks from an empty folder to the first plan: its sh blocks, run in order, succeed against the emulator', async () => {
    const steps = blocks('sh');
    expect(steps.length).toBeGreaterThanOrEqual(4);
    // `ordersync` as an installed command: a shim for the built binary on PATH.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'ordersync'), `#!/bin/sh\nexec "${process.execPath}" "${CLI_BIN}" "$@"\n`);
    chmodSync(join(bin, 'ordersync'), 0o755);
    const home = join(dir, 'empty');
    mkdirSync(home);

    const script = ['set -eu', ...steps.map((s, i) => `echo "### step ${i + 1}"\n${s}`)].join('\n');
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, MONDAY_API_URL: emulator.url, MONDAY_API_TOKEN: emulator.token };
    for (const k of ['ORDERSYNC_ENV', 'ORDERSYNC_CONFIG', 'CI']) delete env[k];
    const boardItems = () => [...emulator.store.items.values()].filter((i) => i.boardId === '9000000001' && i.state === 'active').length;
    const before = boardItems();
    const r = await collect(spawn('bash', ['-c', script], { cwd: home, env, stdio: ['pipe', 'pipe', 'pipe'] }), 240_000);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);

    const folder = join(home, 'my-orders');
    expect(existsSync(join(folder, 'ordersync.toml'))).toBe(true);
    expect(existsSync(join(folder, 'boards', 'dev.items.json'))).toBe(true);
    expect(r.stdout).toMatch(/^wrote .*my-orders\/ordersync\.toml for board 9000000001 "Customer Master Schedule"/m);
    expect(r.stdout).toMatch(/^items board 9000000001 "Customer Master Schedule": \d+ columns$/m);
    expect(r.stdout).toMatch(/: 50 rows read, 50 loaded, 0 blank skipped, 0 rejected/);
    expect(r.stdout).toMatch(/^ok: .*ordersync\.toml \(dev\)$/m);
    // The page ends at the first plan: it promises work and has done none on the board.
    expect(r.stdout).toMatch(/^estimate: 50 item and \d+ subitem mutations/m);
    expect(boardItems()).toBe(before);
  }, 300_000);
});
