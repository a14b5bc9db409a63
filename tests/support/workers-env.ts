import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settingsSchema } from '../../src/config/schema.js';
import { starterConfig } from '../../src/config/starter.js';
import { openDatabase, type Db } from '../../src/db/connect.js';
import { migrateUp } from '../../src/db/migrations/index.js';
import { customerMasterScheduleSeed, startEmulator, type EmulatorLimits, type EmulatorSeed, type RunningEmulator } from '../../src/emulator/index.js';
import { generateStaging, loadStaging, type StagingRow } from '../../src/sampledata/index.js';
import { spawnCli } from './cli.js';
import { createTestDatabase, type TestDatabase } from './engines.js';

/** One monday account: an emulator of its own (one token, one complexity budget). */
export interface Account {
  emulator: RunningEmulator;
  tokenEnv: string;
}

export interface WorkerEnvironment {
  name: string;
  account: number;
  itemsBoard: string;
  subitemsBoard: string;
  rows: StagingRow[];
  db: Db;
}

export interface WorkersEnvOptions {
  /** Account index of each environment, e.g. [0, 0, 1, 2]: the first two share account 0. */
  accounts: number[];
  ordersPerEnv: number;
  /** A monday "minute" lasts 60/timeScale s; the shared budget window follows it. */
  timeScale: number;
  limits: Partial<EmulatorLimits>;
  /** Added to every emulator request (wall ms). */
  latencyMs?: number;
  /** monday.complexity_per_minute as a share of the emulator's budget (< 1: headroom for estimates). */
  budgetShare: number;
  worker: { lease_seconds: number; retry_delay_seconds: number; poll_seconds: number; retry_limit?: number };
}

export interface WorkersEnv {
  dir: string;
  configPath: string;
  accounts: Account[];
  envs: WorkerEnvironment[];
  envVars: Record<string, string | undefined>;
  spawn(args: string[]): ChildProcess;
  close(): Promise<void>;
}

const NAMES = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];

/** The fixture's board pair under new ids (ids are global on monday: queues are named by them). */
function boardPair(items: string, subitems: string, label: string): EmulatorSeed['boards'] {
  const [parent, child] = customerMasterScheduleSeed().boards as [EmulatorSeed['boards'][number], EmulatorSeed['boards'][number]];
  parent.id = items;
  parent.name = `${parent.name} ${label}`;
  for (const c of parent.columns) if (c.type === 'subtasks') c.settings = { ...c.settings, boardIds: [Number(subitems)] };
  child.id = subitems;
  child.name = `${child.name} ${label}`;
  return [parent, child];
}

/**
 * Several environments in one config file, one PostgreSQL database (each environment with
 * its own table names; the job queue beside them) and one emulator per monday account,
 * the way a company with several boards would run `ordersync worker` on a few machines.
 */
export async function createWorkersEnv(opts: WorkersEnvOptions): Promise<WorkersEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'ordersync-workers-'));
  const accounts: Account[] = [];
  const envs: WorkerEnvironment[] = [];
  let test: TestDatabase | undefined;
  const close = async () => {
    for (const e of envs) await e.db.close().catch(() => undefined);
    for (const a of accounts) await a.emulator.close().catch(() => undefined);
    await test?.cleanup().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    test = await createTestDatabase('postgres');
    if (test.actual !== 'postgres') throw new Error('workers need a PostgreSQL server (ORDERSYNC_TEST_PG_URL)');
    const url = test.target.url!;
    const layout = opts.accounts.map((account, i) => ({
      name: NAMES[i]!,
      account,
      itemsBoard: String(9_100_000_001 + i * 10),
      subitemsBoard: String(9_100_000_002 + i * 10),
    }));
    const accountCount = Math.max(...opts.accounts) + 1;
    const envVars: Record<string, string | undefined> = { ORDERSYNC_TEST_DATABASE_URL: url, ORDERSYNC_ENV: undefined };
    for (let a = 0; a < accountCount; a++) {
      const seed: EmulatorSeed = { boards: layout.filter((l) => l.account === a).flatMap((l) => boardPair(l.itemsBoard, l.subitemsBoard, l.name)) };
      const emulator = await startEmulator({ timeScale: opts.timeScale, latencyMs: opts.latencyMs, limits: opts.limits, seed });
      accounts.push({ emulator, tokenEnv: `MONDAY_TOKEN_${a}` });
      envVars[`MONDAY_TOKEN_${a}`] = emulator.token;
    }

    const emulatorBudget = opts.limits.complexityPerMinute ?? 10_000_000;
    const windowSeconds = 60 / opts.timeScale;
    const base = starterConfig({ complexityPerMinute: Math.floor(emulatorBudget * opts.budgetShare * opts.timeScale), note: 'per wall minute' })
      .replace(/^default_env = "dev"\n/m, '')
      .replace(/dialect = "sqlite".*\nsqlite_path = "ordersync\.db".*\n/, 'dialect = "postgres"\nurl_env = "ORDERSYNC_TEST_DATABASE_URL"\n')
      .replace(/\n\[env\.dev\][\s\S]*$/, '\n');
    const w = opts.worker;
    const worker = `[worker]\nlease_seconds = ${w.lease_seconds}\nretry_delay_seconds = ${w.retry_delay_seconds}\npoll_seconds = ${w.poll_seconds}\nretry_limit = ${w.retry_limit ?? 5}\nbudget_window_seconds = ${windowSeconds}\n`;
    const defaults = settingsSchema.parse({}).database.tables;
    const overlays = layout.map((l) => {
      const tables = Object.entries(defaults).map(([k, v]) => `${k} = "${l.name}_${v}"`).join('\n');
      const acct = accounts[l.account]!;
      return `[env.${l.name}]\n[env.${l.name}.database.tables]\n${tables}\n[env.${l.name}.staging]\ntable = "${l.name}_staging"\n[env.${l.name}.monday]\napi_url = "${acct.emulator.url}"\ntoken_env = "${acct.tokenEnv}"\nitems_board_id = "${l.itemsBoard}"\nsubitems_board_id = "${l.subitemsBoard}"\n`;
    });
    const configPath = join(dir, 'ordersync.toml');
    writeFileSync(configPath, `${base}\n${worker}\n${overlays.join('\n')}`, { mode: 0o600 });

    for (const [i, l] of layout.entries()) {
      const tables = Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, `${l.name}_${v}`])) as typeof defaults;
      const db = await openDatabase({ dialect: 'postgres', url, tables });
      envs.push({ ...l, rows: [], db });
      await migrateUp(db);
      const data = generateStaging({ seed: 100 + i, orders: opts.ordersPerEnv, mess: false });
      const rows = [...data.rows];
      await loadStaging(db.raw, `${l.name}_staging`, data.columns, rows, { dialect: 'postgres', replace: true });
      envs[i]!.rows = rows;
    }
    return {
      dir,
      configPath,
      accounts,
      envs,
      envVars,
      spawn: (args) => spawnCli(['--config', configPath, ...args], { cwd: dir, env: envVars }),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** JSON log lines a child writes to stderr, as they come. */
export function jsonLines(child: ChildProcess): { lines: Record<string, unknown>[]; text: () => string; waitFor(pred: (l: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>> } {
  const lines: Record<string, unknown>[] = [];
  let raw = '';
  let pending = '';
  const waiters: Array<{ pred: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }> = [];
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    raw += d;
    pending += d;
    const parts = pending.split('\n');
    pending = parts.pop()!;
    for (const p of parts) {
      let l: Record<string, unknown>;
      try {
        l = JSON.parse(p) as Record<string, unknown>;
      } catch {
        continue;
      }
      lines.push(l);
      for (const w of [...waiters]) {
        if (w.pred(l)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(l);
        }
      }
    }
  });
  return {
    lines,
    text: () => raw,
    waitFor: (pred, timeoutMs) =>
      new Promise((resolve, reject) => {
        const seen = lines.find(pred);
        if (seen) return resolve(seen);
        const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms; stderr:\n${raw.slice(-4000)}`)), timeoutMs);
        waiters.push({ pred, resolve: (l) => (clearTimeout(timer), resolve(l)) });
      }),
  };
}
