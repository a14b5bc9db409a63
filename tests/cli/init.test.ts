import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, structuralChecks } from '../../src/config/index.js';
import { starterConfig } from '../../src/config/starter.js';
import { ExitCode } from '../../src/errors.js';
import { runCli, runMain } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ordersync-cli-init-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ordersync init', () => {
  const file = join(dir, 'ordersync.toml');

  it('writes the starter config (owner-only), which loads and validates', async () => {
    const r = await runCli(['init'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`wrote ${file}`);
    const text = readFileSync(file, 'utf8');
    // the starter (not compared byte for byte: the starter evolves while this suite runs elsewhere)
    expect(text.split('\n')[0]).toBe(starterConfig().split('\n')[0]);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const cfg = loadConfig({ path: file, envVars: {} });
    expect(cfg).toMatchObject({ envName: 'dev', envSource: 'default_env', envNames: ['dev'] });
    expect(cfg.settings.database.dialect).toBe('sqlite');
    expect(cfg.settings.monday.items_board_id).toMatch(/^\d+$/);
    expect(structuralChecks(cfg, text).filter((f) => f.level === 'error')).toEqual([]);
  });

  it('refuses to overwrite (exit 3) and leaves the file as it was', async () => {
    appendFileSync(file, '# edited by hand\n');
    const before = readFileSync(file, 'utf8');
    const r = await runCli(['init'], { cwd: dir });
    expect(r.code).toBe(ExitCode.config);
    expect(r.stderr).toBe(`ordersync: ${file} already exists; not overwriting it\n`);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('--config chooses where it writes', async () => {
    const r = await runMain(['--config', 'other.toml', 'init'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(loadConfig({ path: join(dir, 'other.toml'), envVars: {} }).envName).toBe('dev');
  });

  it('creates the folder --config names when it does not exist yet', async () => {
    const r = await runMain(['--config', 'deploy/prod/ordersync.toml', 'init'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(loadConfig({ path: join(dir, 'deploy', 'prod', 'ordersync.toml'), envVars: {} }).envName).toBe('dev');
  });
});
