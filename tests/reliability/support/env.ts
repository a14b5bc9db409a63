import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, starterConfig, type ResolvedConfig } from '../../../src/config/index.js';
import type { Db } from '../../../src/db/connect.js';
import { migrateUp } from '../../../src/db/migrations/index.js';
import { customerMasterScheduleSeed, startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import type { EmulatorLimits } from '../../../src/emulator/limits.js';
import { runJob, type JobOptions, type JobResult } from '../../../src/ops/job.js';
import { loadStaging, stagingColumns, type StagingRow } from '../../../src/sampledata/index.js';
import { assertBoardMatches, diffBoard, expectedBoard, readBoard, type ExpectedBoard } from '../../support/board.js';
import { createTestDatabase, type EngineName, type TestDatabase } from '../../support/engines.js';

export const ITEMS_BOARD = '9000000001';
export const SUBITEMS_BOARD = '9000000002';

export interface RelEnvOptions {
  engine?: EngineName;
  timeScale?: number;
  latencyMs?: number;
  limits?: Partial<EmulatorLimits>;
  batchSize?: number;
  timeoutMs?: number;
  maxRetries?: number;
  token?: string;
  patchConfig?: (toml: string) => string;
}

/**
 * A reliability test environment: the real emulator over HTTP (with limits), a fresh real
 * database, a config file with the scaled complexity budget and a short timeout. Like
 * tests/support/sync-env.ts, plus emulator limits and client timeouts.
 */
export interface RelEnv {
  engine: EngineName;
  actual: EngineName;
  emulator: RunningEmulator;
  dir: string;
  configPath: string;
  cfg: ResolvedConfig;
  db: Db;
  test: TestDatabase;
  envVars: Record<string, string | undefined>;
  load(rows: Iterable<StagingRow>): Promise<void>;
  run(opts?: Partial<JobOptions>): Promise<JobResult>;
  reopen(): Promise<Db>;
  closeDb(): Promise<void>;
  close(): Promise<void>;
}

export async function createRelEnv(opts: RelEnvOptions = {}): Promise<RelEnv> {
  const engine = opts.engine ?? 'sqlite';
  const timeScale = opts.timeScale ?? 60;
  const dir = mkdtempSync(join(tmpdir(), 'ordersync-rel-'));
  const test = await createTestDatabase(engine);
  const emulator = await startEmulator({
    token: opts.token,
    timeScale,
    latencyMs: opts.latencyMs,
    limits: opts.limits,
    seed: customerMasterScheduleSeed(),
  });
  const envVars: Record<string, string | undefined> = { MONDAY_API_TOKEN: emulator.token, ORDERSYNC_ENV: undefined };
  let toml = starterConfig({ apiUrl: emulator.url, complexityPerMinute: 10_000_000 * timeScale, note: `reliability test, time scale ${timeScale}` });
  const target = test.target;
  const database =
    target.dialect === 'sqlite'
      ? `dialect = "sqlite"\nsqlite_path = ${JSON.stringify(target.path)}`
      : target.dialect === 'pglite'
        ? `dialect = "pglite"\npglite_path = ${JSON.stringify(target.path)}`
        : `dialect = "postgres"\nurl_env = "ORDERSYNC_TEST_DATABASE_URL"`;
  if (target.dialect === 'postgres') envVars.ORDERSYNC_TEST_DATABASE_URL = target.url;
  toml = replaceOnce(toml, /dialect = "sqlite".*\nsqlite_path = "ordersync\.db".*\n/, `${database}\n`);
  toml = replaceOnce(toml, /batch_size = \d+/, `batch_size = ${opts.batchSize ?? 10}`);
  toml = toml.replace(/(batch_size = \d+.*\n)/, `$1timeout_ms = ${opts.timeoutMs ?? 2_000}\nmax_retries = ${opts.maxRetries ?? 6}\n`);
  if (opts.patchConfig) toml = opts.patchConfig(toml);
  const configPath = join(dir, 'ordersync.toml');
  writeFileSync(configPath, toml, { mode: 0o600 });
  const jobEnv = { ...process.env, ...envVars } as NodeJS.ProcessEnv;
  const cfg = loadConfig({ path: configPath, envVars: jobEnv });
  let db: Db | undefined = await test.open();
  await migrateUp(db);
  const table = cfg.settings.staging.table;
  const sqlDialect = target.dialect === 'sqlite' ? 'sqlite' : 'postgres';
  const columns = stagingColumns();
  const need = () => {
    if (!db) throw new Error('database closed');
    return db;
  };
  const env: RelEnv = {
    engine,
    actual: test.actual,
    emulator,
    dir,
    configPath,
    cfg,
    get db() {
      return need();
    },
    test,
    envVars,
    load: async (rows) => {
      await loadStaging(need().raw, table, columns, rows, { dialect: sqlDialect, replace: true });
    },
    run: (o = {}) => runJob(need(), cfg, { command: 'run', envVars: jobEnv, ...o }),
    reopen: async () => {
      await db?.close().catch(() => undefined);
      db = await test.open();
      return db;
    },
    closeDb: async () => {
      await db?.close();
      db = undefined;
    },
    close: async () => {
      await db?.close().catch(() => undefined);
      db = undefined;
      await emulator.close();
      await test.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return env;
}

function replaceOnce(text: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(text)) throw new Error(`starter config changed: ${pattern} not found`);
  return text.replace(pattern, replacement);
}

/** Board vs projection, the list of differences plus counts of every row state. */
export async function boardCheck(env: RelEnv, rows: StagingRow[], opts: { previous?: ExpectedBoard } = {}) {
  const want = expectedBoard(rows, env.cfg.settings, { previous: opts.previous });
  const view = await readBoard(env.emulator, ITEMS_BOARD);
  return { want, view, diff: diffBoard(view, want) };
}

export async function assertConverged(env: RelEnv, rows: StagingRow[], label: string, opts: { previous?: ExpectedBoard } = {}): Promise<ExpectedBoard> {
  const want = expectedBoard(rows, env.cfg.settings, { previous: opts.previous });
  const view = await readBoard(env.emulator, ITEMS_BOARD);
  assertBoardMatches(view, want, label);
  // No subitem created twice behind the item's back either (archived/deleted included).
  const subs = [...(env.emulator.store.boards.get(SUBITEMS_BOARD)?.items.values() ?? [])].filter((s) => s.state === 'active');
  const expectedSubs = [...want.values()].reduce((n, i) => n + Object.keys(i.subitems).length, 0);
  if (subs.length !== expectedSubs) throw new Error(`${label}: ${subs.length} active subitems on the board, ${expectedSubs} expected`);
  return want;
}

/** Row states, for "every row SYNCED or legitimately SKIPPED/ERROR". */
export async function stateCounts(db: Db): Promise<{ orders: Record<string, number>; lines: Record<string, number> }> {
  const o = await db.kysely.selectFrom('orders').select(['sync_state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('sync_state').execute();
  const l = await db.kysely.selectFrom('order_lines').select(['sync_state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('sync_state').execute();
  return { orders: Object.fromEntries(o.map((r) => [r.sync_state, Number(r.n)])), lines: Object.fromEntries(l.map((r) => [r.sync_state, Number(r.n)])) };
}
