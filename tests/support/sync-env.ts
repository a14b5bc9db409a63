import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, starterConfig, type ResolvedConfig } from '../../src/config/index.js';
import type { Db } from '../../src/db/connect.js';
import { migrateUp } from '../../src/db/migrations/index.js';
import { customerMasterScheduleSeed, startEmulator, type EmulatorLimits, type Item, type RunningEmulator } from '../../src/emulator/index.js';
import { runJob, type JobOptions, type JobResult } from '../../src/jobs/run.js';
import { loadStaging, stagingColumns, type StagingColumn, type StagingRow } from '../../src/sampledata/index.js';
import { createTestDatabase, type EngineName, type TestDatabase } from './engines.js';

export const ITEMS_BOARD = '9000000001';
export const SUBITEMS_BOARD = '9000000002';

export interface SyncEnvOptions {
  engine: EngineName;
  /** Emulator speed-up: a monday "minute" lasts 60/timeScale seconds. Default 60. */
  timeScale?: number;
  /** Added to every emulator request. */
  latencyMs?: number;
  /** The emulator's limits (daily calls, budgets …). */
  limits?: Partial<EmulatorLimits>;
  /** The token the emulator accepts (default: generated). */
  token?: string;
  /** Mutations per request (monday.batch_size). */
  batchSize?: number;
  /** monday.timeout_ms and monday.max_retries. */
  timeoutMs?: number;
  maxRetries?: number;
  /** Last word on the config file text (e.g. a changed policy). */
  patchConfig?: (toml: string) => string;
}

/**
 * A complete test environment: the emulator over HTTP with the fixture boards, a fresh
 * database on the engine (migrated), and a config file written next to it that points at
 * both, the way `ordersync init` + `ordersync emulator` would set a machine up.
 */
export interface SyncEnv {
  engine: EngineName;
  /** The engine that actually ran ('postgres' falls back to PGlite without a server, outside CI). */
  actual: EngineName;
  emulator: RunningEmulator;
  dir: string;
  configPath: string;
  cfg: ResolvedConfig;
  /** The open database (throws after closeDb until reopen). */
  readonly db: Db;
  test: TestDatabase;
  /** Environment for the job and for CLI children: the token variable and the database URL. */
  envVars: Record<string, string | undefined>;
  columns: StagingColumn[];
  /** (Re)creates the staging table with exactly these rows. */
  load(rows: Iterable<StagingRow>): Promise<void>;
  /** runJob in-process (default command `run`). */
  run(opts?: Partial<JobOptions>): Promise<JobResult>;
  /** A fresh connection (after a fault killed the old one, or after closeDb). */
  reopen(): Promise<Db>;
  /** Closes the database only (a CLI child can then open a SQLite file alone). */
  closeDb(): Promise<void>;
  close(): Promise<void>;
}

export async function createSyncEnv(opts: SyncEnvOptions): Promise<SyncEnv> {
  const timeScale = opts.timeScale ?? 60;
  const dir = mkdtempSync(join(tmpdir(), 'ordersync-sync-'));
  let testDb: TestDatabase | undefined;
  let emulator: RunningEmulator | undefined;
  let db: Db | undefined;
  try {
    testDb = await createTestDatabase(opts.engine);
    emulator = await startEmulator({
      token: opts.token,
      timeScale,
      latencyMs: opts.latencyMs,
      limits: opts.limits,
      seed: customerMasterScheduleSeed(),
    });
    const envVars: Record<string, string | undefined> = { MONDAY_API_TOKEN: emulator.token, ORDERSYNC_ENV: undefined };
    let toml = starterConfig({ apiUrl: emulator.url });
    const target = testDb.target;
    const database =
      target.dialect === 'sqlite'
        ? `dialect = "sqlite"\nsqlite_path = ${JSON.stringify(target.path)}`
        : target.dialect === 'pglite'
          ? `dialect = "pglite"\npglite_path = ${JSON.stringify(target.path)}`
          : `dialect = "postgres"\nurl_env = "ORDERSYNC_TEST_DATABASE_URL"`;
    if (target.dialect === 'postgres') envVars.ORDERSYNC_TEST_DATABASE_URL = target.url;
    toml = replaceOnce(toml, /dialect = "sqlite".*\nsqlite_path = "ordersync\.db".*\n/, `${database}\n`);
    const client = [
      opts.batchSize !== undefined ? `batch_size = ${opts.batchSize}` : '',
      opts.timeoutMs !== undefined ? `timeout_ms = ${opts.timeoutMs}` : '',
      opts.maxRetries !== undefined ? `max_retries = ${opts.maxRetries}` : '',
    ].filter(Boolean);
    if (client.length) toml = replaceOnce(toml, /(token_env = "MONDAY_API_TOKEN".*\n)/, `$1${client.join('\n')}\n`);
    if (opts.patchConfig) toml = opts.patchConfig(toml);
    const configPath = join(dir, 'ordersync.toml');
    writeFileSync(configPath, toml, { mode: 0o600 });
    const jobEnv = { ...process.env, ...envVars } as NodeJS.ProcessEnv;
    const cfg = loadConfig({ path: configPath, envVars: jobEnv });

    db = await testDb.open();
    await migrateUp(db);
    const columns = stagingColumns();
    const table = cfg.settings.staging.table;
    const emu = emulator;
    const tdb = testDb;
    let open: Db | undefined = db;
    const need = (): Db => {
      if (!open) throw new Error('the test database was closed (closeDb); call reopen()');
      return open;
    };
    return {
      engine: opts.engine,
      actual: testDb.actual,
      emulator,
      dir,
      configPath,
      cfg,
      get db() {
        return need();
      },
      test: tdb,
      envVars,
      columns,
      load: async (rows) => {
        await loadStaging(need().raw, table, columns, rows, { dialect: target.dialect, replace: true });
      },
      run: (o = {}) => runJob(need(), cfg, { command: 'run', envVars: jobEnv, ...o }),
      reopen: async () => {
        await open?.close().catch(() => undefined);
        open = await tdb.open();
        return open;
      },
      closeDb: async () => {
        await open?.close();
        open = undefined;
      },
      close: async () => {
        await open?.close().catch(() => undefined);
        open = undefined;
        await emu.close();
        await tdb.cleanup();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await db?.close().catch(() => undefined);
    await emulator?.close().catch(() => undefined);
    await testDb?.cleanup().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function replaceOnce(text: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(text)) throw new Error(`starter config changed: ${pattern} not found`);
  return text.replace(pattern, replacement);
}

/**
 * Kills `child` from inside the emulator, right after it applied the `n`-th write matching
 * `board` (items or subitems board): the request has run, its response is not sent yet.
 */
export function killAfterCreate(emulator: RunningEmulator, child: ChildProcess, board: string, n: number): { restore(): void; killed(): boolean } {
  const store = emulator.store;
  const original = store.addItem;
  let seen = 0;
  let done = false;
  store.addItem = function (this: typeof store, ...args: Parameters<typeof original>): Item {
    const item = original.apply(this, args);
    if (!done && item.boardId === board && ++seen >= n) {
      done = true;
      child.kill('SIGKILL');
    }
    return item;
  };
  return {
    restore: () => {
      store.addItem = original;
    },
    killed: () => done,
  };
}
