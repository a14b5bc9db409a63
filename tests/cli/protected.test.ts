import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { runCli, runMain } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ordersync-cli-prod-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(
  join(dir, 'ordersync.toml'),
  ['default_env = "dev"', '[env.dev.database]', 'sqlite_path = "dev.db"', '[env.prod]', 'protected = true', '[env.prod.database]', 'sqlite_path = "prod.db"'].join(
    '\n',
  ),
);

// runCli scrubs CI from the child's environment, and stdin is a pipe: not a TTY.
describe('writes to a protected environment', () => {
  const prodDb = join(dir, 'prod.db');

  it('are refused without --yes (exit 3), before the database is touched', async () => {
    const r = await runCli(['migrate', 'up', '--env', 'prod'], { cwd: dir });
    expect(r.code).toBe(ExitCode.config);
    expect(r.stderr).toBe('ordersync: environment "prod" is protected: pass --yes to write to it (or run non-interactively with CI=true)\n');
    expect(r.stdout).toBe('');
    expect(existsSync(prodDb)).toBe(false);
  });

  it('are accepted with --yes', async () => {
    const r = await runCli(['--yes', 'migrate', 'up', '--env', 'prod'], { cwd: dir });
    expect(r).toMatchObject({ code: 0, stdout: 'applied 001_orders\napplied 002_run_history\napplied 003_value_hash\napplied 004_item_id_unique\napplied 005_board_values\n' });
    expect(existsSync(prodDb)).toBe(true);
  });

  it('are accepted non-interactively with CI=true', async () => {
    const r = await runCli(['migrate', 'down', '--env', 'prod'], { cwd: dir, env: { CI: 'true' } });
    expect(r).toMatchObject({ code: 0, stdout: 'reverted 005_board_values\n' });
  });

  it('reads need no consent', async () => {
    const status = await runMain(['migrate', 'status', '--env', 'prod'], { cwd: dir });
    // Read without consent; exit 3 says a migration is pending.
    expect(status.code).toBe(ExitCode.config);
    expect(status.stdout).toMatch(/^001_orders\s+\d{4}-/m);
    expect(status.stdout).toMatch(/^002_run_history\s+\d{4}-/m);
    expect(status.stdout).toMatch(/^003_value_hash\s+\d{4}-/m);
    expect(status.stdout).toMatch(/^004_item_id_unique\s+\d{4}-/m);
    expect(status.stdout).toMatch(/^005_board_values\s+pending$/m);
  });
});
