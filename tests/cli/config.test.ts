import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { runCli, runMain } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ordersync-cli-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = join(dir, 'ordersync.toml');
writeFileSync(
  file,
  [
    'default_env = "dev"',
    '[database.tables]',
    'orders = "base_orders"',
    '[staging]',
    'key_columns = ["A", "B"]',
    '[mapping]',
    'size_column_id = "size_1"',
    'qty_column_id = "qty_1"',
    '[monday]',
    'token_env = "ORDERSYNC_TEST_TOKEN"',
    '[env.dev.monday]',
    'items_board_id = "1000000001"',
    '[env.qa.database]',
    'sqlite_path = "qa.db"',
    '[env.qa.database.tables]',
    'order_lines = "qa_lines"',
    '[env.qa.staging]',
    'key_columns = ["C"]',
    '[env.qa.monday]',
    'items_board_id = "2000000001"',
    '[env.prod]',
    'protected = true',
    '[env.prod.database]',
    'sqlite_path = "prod.db"',
    '[env.prod.monday]',
    'items_board_id = "3000000001"',
  ].join('\n'),
);

interface ShowJson {
  file: string;
  env: string;
  env_source: string;
  protected: boolean;
  values: Array<{ key: string; value: unknown; layer: string }>;
  secrets: Array<{ key: string; variable: string; status: string }>;
}

/** One real process (the first test); the rest through main() in this process, which is cheaper. */
const show = async (args: string[], env: Record<string, string | undefined> = {}, run = runMain) => {
  const r = await run(['config', 'show', '--json', ...args], { cwd: dir, env });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const json = JSON.parse(r.stdout) as ShowJson;
  const at = (key: string) => json.values.find((v) => v.key === key);
  return { json, at, stdout: r.stdout };
};

describe('ordersync config (CLI)', () => {
  it('show --json: --env beats ORDERSYNC_ENV, and each value carries its layer', async () => {
    const { json, at, stdout } = await show(['--env', 'qa'], { ORDERSYNC_ENV: 'prod', ORDERSYNC_TEST_TOKEN: 'sekret-token-value' }, runCli);
    expect(json).toMatchObject({ file, env: 'qa', env_source: 'flag', protected: false });
    expect(at('database.tables.order_lines')).toEqual({ key: 'database.tables.order_lines', value: 'qa_lines', layer: 'env.qa' });
    expect(at('database.tables.orders')).toEqual({ key: 'database.tables.orders', value: 'base_orders', layer: 'file' });
    expect(at('database.tables.sync_runs')).toEqual({ key: 'database.tables.sync_runs', value: 'sync_runs', layer: 'default' });
    expect(at('staging.key_columns')).toEqual({ key: 'staging.key_columns', value: ['C'], layer: 'env.qa' });
    expect(at('monday.items_board_id')).toMatchObject({ value: '2000000001', layer: 'env.qa' });
    expect(at('monday.token_env')).toMatchObject({ value: 'ORDERSYNC_TEST_TOKEN', layer: 'file' });
    expect(at('database.sqlite_path')).toMatchObject({ value: 'qa.db', layer: 'env.qa' });
    // secrets: named, masked, never printed
    expect(json.secrets).toContainEqual({ key: 'monday.token_env', variable: 'ORDERSYNC_TEST_TOKEN', status: '(set, 18 chars)' });
    expect(stdout).not.toContain('sekret-token-value');
  });

  it('show --json: ORDERSYNC_ENV beats default_env', async () => {
    const { json, at } = await show([], { ORDERSYNC_ENV: 'prod' });
    expect(json).toMatchObject({ env: 'prod', env_source: 'ORDERSYNC_ENV', protected: true });
    expect(at('protected')).toMatchObject({ value: true, layer: 'env.prod' });
    expect(at('monday.items_board_id')).toMatchObject({ value: '3000000001', layer: 'env.prod' });
    expect(at('staging.key_columns')).toMatchObject({ value: ['A', 'B'], layer: 'file' });
    expect(json.secrets).toContainEqual({ key: 'monday.token_env', variable: 'ORDERSYNC_TEST_TOKEN', status: '(not set)' });
  });

  it('show (text): default_env when nothing else is given', async () => {
    const r = await runMain(['config', 'show'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`# ${file} — environment "dev" (chosen by default_env)`);
    expect(r.stdout).toMatch(/^monday\.items_board_id\s+= "1000000001" {2}\[env\.dev\]$/m);
    expect(r.stdout).toMatch(/^database\.tables\.orders\s+= "base_orders" {2}\[file\]$/m);
  });

  it('validate --all checks every environment even without default_env, and reports shared resources', async () => {
    const shared = join(dir, 'shared.toml');
    writeFileSync(
      shared,
      ['[mapping]', 'size_column_id = "size_1"', 'qty_column_id = "qty_1"', '[env.a.database]', 'sqlite_path = "a.db"', '[env.a.monday]', 'items_board_id = "1234567890"', '[env.b.database]', 'sqlite_path = "b.db"', '[env.b.monday]', 'items_board_id = "1234567890"'].join('\n'),
    );
    const all = await runMain(['--config', shared, 'config', 'validate', '--all', '--json'], { cwd: dir });
    expect(all.stderr).toBe('');
    expect(all.code).toBe(ExitCode.config);
    const report = JSON.parse(all.stdout) as { ok: boolean; findings: Array<{ level: string; message: string }> };
    expect(report.ok).toBe(false);
    expect(report.findings.filter((f) => f.level === 'error').map((f) => f.message)).toEqual([
      'environments "a" and "b" share board 1234567890; each environment needs its own',
    ]);
    // validating one environment still reports what it shares with another
    const one = await runMain(['--config', shared, '--env', 'a', 'config', 'validate'], { cwd: dir });
    expect(one.code).toBe(ExitCode.config);
    expect(one.stdout).toContain('share board 1234567890');
  });

  it('validate on a clean file exits 0', async () => {
    const r = await runMain(['config', 'validate', '--all'], { cwd: dir });
    expect(r.stdout).toMatch(new RegExp(`^ok: .*ordersync\\.toml \\(dev, qa, prod\\)$`, 'm'));
    expect(r.code).toBe(0);
  });
});
