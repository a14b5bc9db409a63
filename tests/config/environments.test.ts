import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertWritable, loadConfig, structuralChecks, type ResolvedConfig } from '../../src/config/index.js';
import { databaseTarget } from '../../src/db/connect.js';
import { configError, scratch } from './helpers.js';

const s = scratch();
afterAll(() => s.remove());

/** Two environments that share nothing: every resource is set per environment. */
const TWO_ENVS = [
  'default_env = "dev"',
  '',
  '[mapping]',
  'size_column_id = "dropdown_size"',
  'qty_column_id = "numeric_qty"',
  '[env.dev]',
  '[env.dev.database]',
  'dialect = "sqlite"',
  'sqlite_path = "data/dev.db"',
  '[env.dev.database.tables]',
  'orders = "dev_orders"',
  'order_lines = "dev_order_lines"',
  'sync_runs = "dev_sync_runs"',
  'sync_events = "dev_sync_events"',
  'api_log = "dev_api_log"',
  'monday_groups = "dev_monday_groups"',
  'board_schemas = "dev_board_schemas"',
  'run_lock = "dev_run_lock"',
  'migrations = "dev_migrations"',
  '[env.dev.staging]',
  'table = "dev_staging"',
  '[env.dev.monday]',
  'api_url = "http://127.0.0.1:4000/v2"',
  'token_env = "MONDAY_DEV_TOKEN"',
  'items_board_id = "1000000001"',
  'subitems_board_id = "1000000002"',
  '',
  '[env.prod]',
  'protected = true',
  '[env.prod.database]',
  'dialect = "postgres"',
  'url_env = "ORDERSYNC_PROD_DB_URL"',
  '[env.prod.database.tables]',
  'orders = "prod_orders"',
  'order_lines = "prod_order_lines"',
  'sync_runs = "prod_sync_runs"',
  'sync_events = "prod_sync_events"',
  'api_log = "prod_api_log"',
  'monday_groups = "prod_monday_groups"',
  'board_schemas = "prod_board_schemas"',
  'run_lock = "prod_run_lock"',
  'migrations = "prod_migrations"',
  '[env.prod.staging]',
  'table = "FACT_ORDER_LIST"',
  '[env.prod.monday]',
  'api_url = "https://api.monday.com/v2"',
  'token_env = "MONDAY_PROD_TOKEN"',
  'items_board_id = "2000000001"',
  'subitems_board_id = "2000000002"',
];

/** Everything an environment points at, flattened: switching --env must change each one. */
function resources(cfg: ResolvedConfig): Record<string, string | undefined> {
  const t = databaseTarget(cfg, { ORDERSYNC_PROD_DB_URL: 'postgres://prod-host/orders' });
  const out: Record<string, string | undefined> = {
    'database.location': t.url ?? t.path,
    'database.secret': cfg.settings.database.dialect === 'postgres' ? cfg.settings.database.url_env : undefined,
    'staging.table': cfg.settings.staging.table,
    'monday.api_url': cfg.settings.monday.api_url,
    'monday.token_env': cfg.settings.monday.token_env,
    'monday.items_board_id': cfg.settings.monday.items_board_id,
    'monday.subitems_board_id': cfg.settings.monday.subitems_board_id,
  };
  for (const [k, v] of Object.entries(t.tables)) out[`database.tables.${k}`] = v;
  return out;
}

describe('switching --env switches every resource', () => {
  const file = s.write(TWO_ENVS, 'ordersync.toml');

  it('dev and prod share no resource', () => {
    const dev = resources(loadConfig({ path: file, env: 'dev', envVars: {} }));
    const prod = resources(loadConfig({ path: file, env: 'prod', envVars: {} }));
    expect(Object.keys(dev)).toEqual(Object.keys(prod));
    expect(Object.keys(dev)).toHaveLength(16);
    for (const key of Object.keys(dev)) {
      if (key === 'database.secret') continue; // sqlite has none
      expect(dev[key], key).toBeDefined();
      expect(prod[key], key).toBeDefined();
      expect(dev[key], key).not.toBe(prod[key]);
    }
    expect(dev['database.location']).toBe(join(s.dir, 'data', 'dev.db'));
    expect(prod['database.location']).toBe('postgres://prod-host/orders');
    expect(prod['database.secret']).toBe('ORDERSYNC_PROD_DB_URL');
    expect(prod['database.tables.orders']).toBe('prod_orders');
    expect(dev['monday.items_board_id']).toBe('1000000001');
  });

  it('the same switch through ORDERSYNC_ENV gives the same resources as --env', () => {
    const viaFlag = resources(loadConfig({ path: file, env: 'prod', envVars: {} }));
    const viaVar = resources(loadConfig({ path: file, envVars: { ORDERSYNC_ENV: 'prod' } }));
    expect(viaVar).toEqual(viaFlag);
  });

  it('the SQLite path is relative to the config file, not the working directory', () => {
    const cfg = loadConfig({ path: file, cwd: '/', env: 'dev', envVars: {} });
    expect(databaseTarget(cfg, {}).path).toBe(join(s.dir, 'data', 'dev.db'));
  });

  it('the two-environment file passes the structural checks', () => {
    const cfg = loadConfig({ path: file, envVars: {} });
    expect(structuralChecks(cfg, readFileSync(file, 'utf8')).filter((f) => f.level === 'error')).toEqual([]);
  });
});

describe('protected environments', () => {
  const file = s.write(['default_env = "dev"', '[env.dev]', '[env.prod]', 'protected = true']);
  const dev = loadConfig({ path: file, env: 'dev', envVars: {} });
  const prod = loadConfig({ path: file, env: 'prod', envVars: {} });

  it('refuses a write without consent, naming the environment and --yes', () => {
    expect(configError(() => assertWritable(prod, { envVars: {}, isTTY: false })).message).toBe(
      'environment "prod" is protected: pass --yes to write to it (or run non-interactively with CI=true)',
    );
  });

  it('accepts --yes, and CI without a terminal', () => {
    expect(() => assertWritable(prod, { yes: true, envVars: {}, isTTY: true })).not.toThrow();
    expect(() => assertWritable(prod, { envVars: { CI: 'true' }, isTTY: false })).not.toThrow();
  });

  it('CI with a terminal attached, or CI set to anything but true, is not consent', () => {
    for (const CI of ['0', '1', 'no', 'yes']) expect(() => assertWritable(prod, { envVars: { CI }, isTTY: false }), `CI=${CI}`).toThrow(/protected/);
    expect(() => assertWritable(prod, { envVars: { CI: 'TRUE' }, isTTY: false })).not.toThrow();
    expect(() => assertWritable(prod, { envVars: { CI: 'true' }, isTTY: true })).toThrow(/protected/);
    expect(() => assertWritable(prod, { envVars: { CI: 'false' }, isTTY: false })).toThrow(/protected/);
    expect(() => assertWritable(prod, { envVars: { CI: '' }, isTTY: false })).toThrow(/protected/);
  });

  it('an unprotected environment needs nothing', () => {
    expect(() => assertWritable(dev, { envVars: {}, isTTY: true })).not.toThrow();
  });
});

describe('structural checks', () => {
  // Every environment needs its subitems columns; given here so each case shows only its own finding.
  const check = (lines: string[]) => {
    const file = s.write([...lines, '[mapping]', 'size_column_id = "size_1"', 'qty_column_id = "qty_1"']);
    const cfg = loadConfig({ path: file, envVars: {}, firstEnvIfUnselected: true });
    return structuralChecks(cfg, readFileSync(file, 'utf8'));
  };
  const errors = (lines: string[]) => check(lines).filter((f) => f.level === 'error').map((f) => f.message);

  it('two environments on one board', () => {
    expect(
      errors(['[env.a.monday]', 'items_board_id = "1234567890"', '[env.b.monday]', 'items_board_id = "1234567890"', '[env.b.database]', 'sqlite_path = "b.db"']),
    ).toEqual(['environments "a" and "b" share board 1234567890; each environment needs its own']);
  });

  it('two environments on one SQLite file, or one PostgreSQL URL variable', () => {
    expect(errors(['[env.a]', '[env.b]'])).toEqual(['environments "a" and "b" share the SQLite database ordersync.db; each environment needs its own']);
    expect(errors(['[database]', 'dialect = "postgres"', '[env.a]', '[env.b]'])).toEqual([
      'environments "a" and "b" share the database URL variable ORDERSYNC_DATABASE_URL; each environment needs its own',
    ]);
  });

  it('a monday column mapped twice', () => {
    expect(errors(['[mapping.columns]', '"PO NUMBER" = "text_1"', '"CUSTOMER PO" = "text_1"'])).toEqual([
      'monday column text_1 is mapped twice (from "PO NUMBER" and "CUSTOMER PO"); the later would silently overwrite the earlier',
    ]);
  });

  it('secret-looking literals, by line', () => {
    // Assembled here so the repository itself holds nothing token-shaped.
    const FAKE_JWT = ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiIxMjM0NSJ9', 'abc'].join('.');
    const found = errors([
      '[monday]', // 1
      'token_env = "MONDAY_API_TOKEN"', // 2: a variable name, fine
      `# api_token = "${FAKE_JWT}"`, // 3: comment, ignored
      '[env.x.database]', // 4
      'url_env = "X"', // 5
      '[env.x.alerts]', // 6
      'webhook_url_env = "HOOK"', // 7
      '[env.x.server]', // 8
      'schedule = "postgres://u:hunter2@db/x"', // 9: a password in a URL
    ]);
    expect(found).toEqual(['line 9 holds a database URL with a password; secrets belong in environment variables (token_env, url_env)']);
  });

  it('the starter config is clean', async () => {
    const { starterConfig } = await import('../../src/config/starter.js');
    const text = starterConfig();
    const file = s.write(text);
    expect(structuralChecks(loadConfig({ path: file, envVars: {} }), text).filter((f) => f.level === 'error')).toEqual([]);
  });
});
