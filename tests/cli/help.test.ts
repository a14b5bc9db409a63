import type { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram, main } from '../../src/cli/main.js';
import { ExitCode } from '../../src/errors.js';
import { REPO_ROOT, runCli } from '../support/cli.js';

/** Every command path of the program: ['init'], ['config'], ['config', 'show'], … */
function commandPaths(cmd: Command, prefix: string[] = []): string[][] {
  return cmd.commands.flatMap((c) => [[...prefix, c.name()], ...commandPaths(c, [...prefix, c.name()])]);
}

/** Runs main() in this process, capturing what it writes. */
async function inProcess(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  try {
    const code = await main(['node', 'ordersync', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** Every command registered in full (the CLI itself loads only the one it runs). */
const paths = commandPaths(await buildProgram());

describe('help', () => {
  afterEach(() => vi.restoreAllMocks());

  it('`ordersync --help` (a real process) lists the commands and exits 0', async () => {
    const r = await runCli(['--help'], { cwd: REPO_ROOT });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: ordersync \[options\] \[command\]/);
    for (const name of (await buildProgram()).commands.map((c) => c.name())) {
      expect(r.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    }
    for (const option of ['--config', '--env', '--yes']) expect(r.stdout).toContain(option);
  });

  it('the program has the foundation commands', () => {
    const names = paths.map((p) => p.join(' '));
    for (const expected of ['init', 'config', 'config show', 'config validate', 'migrate', 'migrate up', 'migrate down', 'migrate status']) {
      expect(names).toContain(expected);
    }
  });

  it.each(paths.map((p) => [p.join(' '), p] as const))('`ordersync %s --help` exits 0 with its usage', async (_label, path) => {
    const r = await inProcess([...path, '--help']);
    expect(r.code).toBe(ExitCode.ok);
    expect(r.out).toContain(`Usage: ordersync ${path.join(' ')}`);
    expect(r.err).toBe('');
  });

  it('an unknown command or option is a usage error (exit 3), with help on stderr', async () => {
    const r = await inProcess(['frobnicate']);
    expect(r.code).toBe(ExitCode.config);
    expect(r.err).toContain("unknown command 'frobnicate'");
    const o = await inProcess(['migrate', 'up', '--bogus']);
    expect(o.code).toBe(ExitCode.config);
    expect(o.err).toContain("unknown option '--bogus'");
  });
});
