import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, requireSecret } from '../../src/config/index.js';
import { databaseTarget } from '../../src/db/connect.js';
import { ExitCode } from '../../src/errors.js';
import { configError, scratch } from './helpers.js';

const s = scratch();
afterAll(() => s.remove());

/** Loads `lines` as a config and returns the ConfigError message, with the file path known. */
function failure(lines: string[], opts: { env?: string; envVars?: NodeJS.ProcessEnv } = {}) {
  const file = s.write(lines);
  const err = configError(() => loadConfig({ path: file, env: opts.env, envVars: opts.envVars ?? {} }));
  expect(err.exitCode).toBe(ExitCode.config);
  return { file, message: err.message };
}

describe('config errors name file:line and the key path', () => {
  it('malformed TOML: line and column', () => {
    const { file, message } = failure([
      '[database]', // 1
      'dialect = "sqlite"', // 2
      '', // 3
      '[staging]', // 4
      'batch_size = = 3', // 5: the second = at column 14
    ]);
    expect(message).toMatch(new RegExp(`^${escape(file)}:5:14: malformed TOML: `));
  });

  it('malformed TOML: unterminated string', () => {
    const { file, message } = failure(['[staging]', 'key_columns = ["A"]', 'table = "staging']);
    expect(message.startsWith(`${file}:3:`)).toBe(true);
    expect(message).toContain('malformed TOML');
  });

  it('unknown key in the base', () => {
    const { file, message } = failure([
      '[database]', // 1
      'dialect = "sqlite"', // 2
      '', // 3
      '[staging]', // 4
      'table = "t"', // 5
      'tabel = "t"', // 6
    ]);
    expect(message).toBe(`${file}:6: staging.tabel: unknown key; did you mean table?`);
  });

  it('unknown top-level key and unknown section', () => {
    const { file, message } = failure(['default_env = "dev"', 'defualt = 1', '[env.dev]', '[mondai]', 'x = 1']);
    expect(message.split('\n').sort()).toEqual([`${file}:2: defualt: unknown key`, `${file}:4: mondai: unknown key; did you mean monday?`]);
  });

  it('unknown key inside an env overlay points into [env.X…], not the base', () => {
    const { file, message } = failure([
      'default_env = "dev"', // 1
      '[monday]', // 2
      'batch_size = 10', // 3
      '', // 4
      '[env.dev]', // 5
      '[env.dev.monday]', // 6
      'batch_size = 5', // 7
      'items_bord_id = "1"', // 8
    ]);
    expect(message).toBe(`${file}:8: env.dev.monday.items_bord_id: unknown key; did you mean items_board_id?`);
  });

  it('unknown key in an overlay of an environment that is not selected still fails', () => {
    const { file, message } = failure(['default_env = "dev"', '[env.dev]', '[env.prod]', 'protected = true', 'protectd = true'], {
      env: 'dev',
    });
    expect(message).toBe(`${file}:5: env.prod.protectd: unknown key; did you mean protected?`);
  });

  it('wrong type in the base', () => {
    const { file, message } = failure([
      '[monday]', // 1
      'batch_size = 20', // 2
      '[staging]', // 3
      'batch_size = "twenty"', // 4
    ]);
    expect(message).toMatch(new RegExp(`^${escape(file)}:4: staging\\.batch_size: .*expected number, received string`));
  });

  it('wrong type in an overlay points at the overlay line', () => {
    const { file, message } = failure([
      'default_env = "dev"', // 1
      '[staging]', // 2
      'batch_size = 3', // 3
      '[env.dev.staging]', // 4
      'batch_size = "twenty"', // 5
    ]);
    expect(message).toMatch(new RegExp(`^${escape(file)}:5: env\\.dev\\.staging\\.batch_size: .*expected number`));
  });

  it('an overlay table missing a required key points at the overlay table', () => {
    const { file, message } = failure([
      'default_env = "dev"', // 1
      '[staging]', // 2
      'batch_size = 3', // 3
      '', // 4
      '[env.dev.mapping.group_name]', // 5
      'separator = "-"', // 6
    ]);
    expect(message.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^${escape(file)}:5: env\\.dev\\.mapping\\.group_name\\.columns: `)),
      expect.stringMatching(new RegExp(`^${escape(file)}:5: env\\.dev\\.mapping\\.group_name\\.fallback: `)),
    ]);
  });

  it('a value failing a rule (board id not numeric) names the rule', () => {
    const { file, message } = failure(['[env.dev.monday]', 'items_board_id = "board-1"'], { env: 'dev' });
    expect(message).toBe(`${file}:2: env.dev.monday.items_board_id: must be a numeric board id`);
  });

  it('unknown environment from --env', () => {
    const { file, message } = failure(['default_env = "dev"', '[env.dev]', '[env.prod]'], { env: 'prdo' });
    expect(message).toBe(`${file}: unknown environment "prdo" (from --env); defined: dev, prod; did you mean prod?`);
  });

  it('unknown environment from ORDERSYNC_ENV', () => {
    const { file, message } = failure(['default_env = "dev"', '[env.dev]', '[env.prod]'], { envVars: { ORDERSYNC_ENV: 'qa' } });
    expect(message).toBe(`${file}: unknown environment "qa" (from ORDERSYNC_ENV); defined: dev, prod`);
  });

  it('default_env naming a protected environment', () => {
    const { file, message } = failure([
      '# production is never the default', // 1
      'default_env = "prod"', // 2
      '', // 3
      '[env.prod]', // 4
      'protected = true', // 5
    ]);
    expect(message).toMatch(new RegExp(`^${escape(file)}:2: default_env = "prod" is a protected environment`));
  });

  it('default_env naming a protected environment fails even when --env selects another', () => {
    const { message } = failure(['default_env = "prod"', '[env.dev]', '[env.prod]', 'protected = true'], { env: 'dev' });
    expect(message).toContain('is a protected environment');
  });

  it('default_env naming no environment', () => {
    const { file, message } = failure([
      '', // 1
      'default_env = "staging"', // 2
      '[env.dev]', // 3
    ]);
    expect(message).toBe(`${file}:2: default_env = "staging" names no environment (defined: dev)`);
  });

  it('default_env in a file without environments', () => {
    const { file, message } = failure(['default_env = "dev"']);
    expect(message).toBe(`${file}:1: default_env = "dev" names no environment (defined: none)`);
  });

  it('no environment selected', () => {
    const { file, message } = failure(['[env.dev]', '[env.prod]']);
    expect(message).toBe(`${file}: no environment selected; pass --env, set ORDERSYNC_ENV or set default_env (defined: dev, prod)`);
  });

  it('missing config file', () => {
    const missing = join(s.dir, 'nope', 'ordersync.toml');
    const err = configError(() => loadConfig({ path: missing, envVars: {} }));
    expect(err.message).toBe(`${missing}: config file not found (create one with \`ordersync init\`, or pass --config)`);
    expect(err.exitCode).toBe(ExitCode.config);
  });
});

describe('missing secrets name their variable', () => {
  const file = s.write([
    'default_env = "dev"',
    '[env.dev]',
    '[env.prod.database]',
    'dialect = "postgres"',
    'url_env = "ORDERSYNC_PROD_DB_URL"',
    '[env.prod.monday]',
    'token_env = "MONDAY_PROD_TOKEN"',
  ]);

  it('PostgreSQL without its url_env variable', () => {
    const cfg = loadConfig({ path: file, env: 'prod', envVars: {} });
    const err = configError(() => databaseTarget(cfg, {}));
    expect(err.message).toBe(`environment variable ORDERSYNC_PROD_DB_URL is not set (database.url_env in ${file}, environment "prod")`);
    // blank counts as unset
    expect(configError(() => databaseTarget(cfg, { ORDERSYNC_PROD_DB_URL: '  ' })).message).toContain('ORDERSYNC_PROD_DB_URL');
    // and once set, it is used as is
    expect(databaseTarget(cfg, { ORDERSYNC_PROD_DB_URL: 'postgres://h/db' }).url).toBe('postgres://h/db');
  });

  it('SQLite needs no secret', () => {
    const cfg = loadConfig({ path: file, env: 'dev', envVars: {} });
    expect(databaseTarget(cfg, {})).toMatchObject({ dialect: 'sqlite', path: join(s.dir, 'ordersync.db') });
  });

  it('requireSecret for the monday token', () => {
    const cfg = loadConfig({ path: file, env: 'prod', envVars: {} });
    const err = configError(() => requireSecret(cfg, cfg.settings.monday.token_env, 'monday.token_env', { MONDAY_API_TOKEN: 'wrong-one' }));
    expect(err.message).toBe(`environment variable MONDAY_PROD_TOKEN is not set (monday.token_env in ${file}, environment "prod")`);
    expect(requireSecret(cfg, 'MONDAY_PROD_TOKEN', 'monday.token_env', { MONDAY_PROD_TOKEN: 'tok' })).toBe('tok');
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
