import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { runCli } from '../support/cli.js';

/** Every numeric, duration and id flag is read by one set of parsers (src/cli/options.ts). */
const dir = mkdtempSync(join(tmpdir(), 'ordersync-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = (args: string[], env: Record<string, string | undefined> = {}) => runCli(args, { cwd: dir, env });

beforeAll(async () => {
  expect((await cli(['init'])).code).toBe(0);
  expect((await cli(['migrate', 'up'])).code).toBe(0);
});

describe('bad flag values: exit 3, the flag named, nothing done', () => {
  const cases: Array<[string[], string]> = [
    [['run', '--limit', 'abc'], '--limit needs a positive integer (got "abc")'],
    [['run', '--limit', '-1'], '--limit needs a positive integer (got "-1")'],
    [['sync', '--limit', '2.5'], '--limit needs a positive integer (got "2.5")'],
    [['cutover', '--limit', 'abc', '--canary-only'], '--limit needs a positive integer (got "abc")'],
    [['report', '--run', '2abc'], '--run needs a run id'],
    [['rollback', '--run', '0', '--dry-run'], '--run needs a run id'],
    [['serve', '--port', '99999'], '--port needs a port number from 1 to 65535'],
    [['emulator', '--port', 'http'], '--port needs a port number from 1 to 65535'],
    [['prune', '--older-than', '1m'], '--older-than needs a duration such as 30d, 12h or 15min ("m" could be minutes or months) (got "1m")'],
    [['prune', '--older-than', 'soon'], '--older-than needs a duration such as 30d, 12h or 15min (got "soon")'],
    [['merge', '--show', 'all'], '--show needs a positive integer (got "all")'],
    [['ingest', 'x.csv', '--show', '0'], '--show needs a positive integer (got "0")'],
    [['gen', '--orders', 'many'], '--orders needs a non-negative integer (got "many")'],
    [['demo', '--orders', '1e3'], '--orders needs a positive integer (got "1e3")'],
    [['migrate', 'up', '--to', 'two'], '--to needs a migration number (got "two")'],
    [['emulator', '--time-scale', '0'], '--time-scale needs a positive number (got "0")'],
    [['verify', '--limit', 'ten'], '--limit needs a positive integer (got "ten")'],
    [['serve', '--timezone', 'Mars/Olympus'], '--timezone needs an IANA time zone such as "Europe/Berlin" or "UTC" (got "Mars/Olympus")'],
    [['runs', '--since', 'abc'], '--since needs a duration such as 30d, 12h or 15min (got "abc")'],
    [['status', '--history', 'x'], '--history needs a positive integer (got "x")'],
  ];
  for (const [args, message] of cases) {
    it(args.join(' '), async () => {
      const r = await cli(args);
      expect(r.code, r.stderr).toBe(ExitCode.config);
      expect(r.stderr).toContain(`ordersync: ${message}`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    });
  }

  it('nothing ran: no run record was written by the refused commands', async () => {
    const r = await cli(['status', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).runs).toEqual([]);
  });

  it('a good duration is accepted (15min, 2w)', async () => {
    for (const age of ['15min', '2w', '12h']) {
      const r = await cli(['prune', '--older-than', age, '--json']);
      expect(r.code, r.stderr).toBe(0);
    }
  });
});

describe('--json on failure', () => {
  it('writes an error document to stdout', async () => {
    const r = await cli(['run', '--limit', 'abc', '--json']);
    expect(r.code).toBe(ExitCode.config);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'InputError', message: '--limit needs a positive integer (got "abc")', exit_code: 3 } });
  });

  it('for an unknown option too', async () => {
    const r = await cli(['status', '--json', '--bogus']);
    expect(r.code).toBe(ExitCode.config);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'commander.unknownOption', exit_code: 3 });
  });

  it('for a failure inside the command (no database file)', async () => {
    const other = mkdtempSync(join(tmpdir(), 'ordersync-input-nodb-'));
    try {
      writeFileSync(join(other, 'ordersync.toml'), readFileSync(join(dir, 'ordersync.toml')));
      const r = await runCli(['status', '--json'], { cwd: other });
      expect(r.code).toBe(ExitCode.config);
      expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'ConfigError', exit_code: 3, message: expect.stringContaining('ordersync migrate up') });
      expect(existsSync(join(other, 'ordersync.db'))).toBe(false);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('--version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    it(`${flag} prints the version and the monday API version`, async () => {
      const r = await cli([flag]);
      expect(r).toMatchObject({ code: 0, stdout: `ordersync ${pkg.version} (monday API 2026-10)\n`, stderr: '' });
    });
  }
});

describe('the protected-environment guard', () => {
  beforeAll(() => {
    writeFileSync(join(dir, 'protected.toml'), ['default_env = "dev"', '[env.dev]', '[env.prod]', 'protected = true', '[env.prod.database]', 'sqlite_path = "prod.db"'].join('\n'));
  });
  for (const CI of ['0', '1', 'false', 'yes']) {
    it(`CI=${CI} is not consent`, async () => {
      const r = await cli(['--config', 'protected.toml', 'migrate', 'up', '--env', 'prod'], { CI });
      expect(r.code).toBe(ExitCode.config);
      expect(r.stderr).toContain('is protected: pass --yes');
      expect(existsSync(join(dir, 'prod.db'))).toBe(false);
    });
  }
  it('CI=true without a terminal is', async () => {
    const r = await cli(['--config', 'protected.toml', 'migrate', 'up', '--env', 'prod'], { CI: 'true' });
    expect(r.code, r.stderr).toBe(0);
  });
});
