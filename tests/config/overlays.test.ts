import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { configError, scratch } from './helpers.js';

const s = scratch();
afterAll(() => s.remove());

/** Three environments over one base; qa and prod overlay different parts of it. */
const THREE_ENVS = [
  'default_env = "dev"',
  '',
  '[database.tables]',
  'orders = "base_orders"',
  'order_lines = "base_lines"',
  '',
  '[staging]',
  'key_columns = ["A", "B"]',
  'cancelled_values = ["CANCELLED", "VOID"]',
  'batch_size = 500',
  '',
  '[mapping.columns]',
  '"A" = "text_a"',
  '"B" = "text_b"',
  '',
  '[env.dev]',
  '',
  '[env.qa.database.tables]',
  'orders = "qa_orders"',
  '[env.qa.staging]',
  'key_columns = ["C"]',
  '[env.qa.mapping.columns]',
  '"B" = "text_b_qa"',
  '"C" = "text_c"',
  '',
  '[env.prod]',
  'protected = true',
  '[env.prod.staging]',
  'batch_size = 100',
];

describe('overlays', () => {
  const file = s.write(THREE_ENVS);

  it('merges nested tables key by key and replaces arrays whole', () => {
    const cfg = loadConfig({ path: file, env: 'qa', envVars: {} });
    expect(cfg.settings.database.tables).toMatchObject({
      orders: 'qa_orders', // overlay
      order_lines: 'base_lines', // base, kept beside the overlay's sibling key
      sync_runs: 'sync_runs', // schema default
    });
    expect(cfg.settings.staging.key_columns).toEqual(['C']); // replaced, not ["C", "B"] or appended
    expect(cfg.settings.staging.cancelled_values).toEqual(['CANCELLED', 'VOID']);
    expect(cfg.settings.staging.batch_size).toBe(500);
    expect(cfg.settings.mapping.columns).toEqual({ A: 'text_a', B: 'text_b_qa', C: 'text_c' });
  });

  it('records the layer of every value', () => {
    const cfg = loadConfig({ path: file, env: 'qa', envVars: {} });
    const layer = (k: string) => cfg.sources.get(k);
    expect(layer('database.tables.orders')).toBe('env.qa');
    expect(layer('database.tables.order_lines')).toBe('file');
    expect(layer('database.tables.sync_runs')).toBe('default');
    expect(layer('staging.key_columns')).toBe('env.qa');
    expect(layer('staging.batch_size')).toBe('file');
    expect(layer('mapping.columns.A')).toBe('file');
    expect(layer('mapping.columns.B')).toBe('env.qa');
    expect(layer('mapping.columns.C')).toBe('env.qa');
    expect(layer('monday.api_url')).toBe('default');
    expect(layer('protected')).toBe('default');
    // every leaf of the settings has a layer
    expect(cfg.sources.size).toBeGreaterThan(60);
  });

  it('resolves every environment, each from the base plus its own overlay only', () => {
    const cfg = loadConfig({ path: file, env: 'dev', envVars: {} });
    expect(cfg.envNames).toEqual(['dev', 'qa', 'prod']);
    expect(cfg.all.get('dev')?.database.tables.orders).toBe('base_orders');
    expect(cfg.all.get('qa')?.database.tables.orders).toBe('qa_orders');
    expect(cfg.all.get('prod')?.database.tables.orders).toBe('base_orders');
    expect(cfg.all.get('prod')?.staging.batch_size).toBe(100);
    expect(cfg.all.get('prod')?.protected).toBe(true);
    expect(cfg.all.get('dev')?.protected).toBe(false);
    expect(cfg.all.get('qa')?.staging.batch_size).toBe(500);
  });

  it('a partial overlay table still gets the schema default for keys nobody set', () => {
    const cfg = loadConfig({ path: file, env: 'prod', envVars: {} });
    expect(cfg.settings.staging.table).toBe('staging_order_list');
    expect(cfg.sources.get('staging.table')).toBe('default');
    expect(cfg.sources.get('staging.batch_size')).toBe('env.prod');
    expect(cfg.sources.get('protected')).toBe('env.prod');
  });
});

describe('environment precedence: --env > ORDERSYNC_ENV > default_env', () => {
  const file = s.write(THREE_ENVS);

  it('default_env when nothing else is given', () => {
    const cfg = loadConfig({ path: file, envVars: {} });
    expect([cfg.envName, cfg.envSource]).toEqual(['dev', 'default_env']);
    expect(cfg.settings.database.tables.orders).toBe('base_orders');
  });

  it('ORDERSYNC_ENV beats default_env', () => {
    const cfg = loadConfig({ path: file, envVars: { ORDERSYNC_ENV: 'qa' } });
    expect([cfg.envName, cfg.envSource]).toEqual(['qa', 'ORDERSYNC_ENV']);
    expect(cfg.settings.database.tables.orders).toBe('qa_orders');
  });

  it('--env beats ORDERSYNC_ENV', () => {
    const cfg = loadConfig({ path: file, env: 'prod', envVars: { ORDERSYNC_ENV: 'qa' } });
    expect([cfg.envName, cfg.envSource]).toEqual(['prod', 'flag']);
    expect(cfg.settings.staging.batch_size).toBe(100);
  });

  it('an empty ORDERSYNC_ENV counts as unset', () => {
    expect(loadConfig({ path: file, envVars: { ORDERSYNC_ENV: '' } }).envName).toBe('dev');
  });

  it('a file without environments resolves to "default" from the base', () => {
    const plain = s.write(['[staging]', 'batch_size = 7']);
    const cfg = loadConfig({ path: plain, envVars: {} });
    expect([cfg.envName, cfg.envSource]).toEqual(['default', 'only']);
    expect(cfg.settings.staging.batch_size).toBe(7);
    expect(cfg.sources.get('staging.batch_size')).toBe('file');
  });

  it('ORDERSYNC_CONFIG locates the file when --config is absent; relative paths resolve against cwd', () => {
    const cfg = loadConfig({ cwd: s.dir, envVars: { ORDERSYNC_CONFIG: file.slice(s.dir.length + 1) } });
    expect(cfg.file).toBe(file);
    expect(cfg.dir).toBe(s.dir);
  });

  it('firstEnvIfUnselected only applies when nothing selects an environment', () => {
    const noDefault = s.write(['[env.a]', '[env.b]']);
    expect(loadConfig({ path: noDefault, envVars: {}, firstEnvIfUnselected: true }).envName).toBe('a');
    expect(loadConfig({ path: noDefault, env: 'b', envVars: {}, firstEnvIfUnselected: true }).envName).toBe('b');
    expect(configError(() => loadConfig({ path: noDefault, envVars: {} })).message).toMatch(/no environment selected/);
  });
});
