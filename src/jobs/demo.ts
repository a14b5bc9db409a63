import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig, starterConfig } from '../config/index.js';
import { databaseTarget, openDatabase, migrateUp } from '../db/index.js';
import { ConfigError } from '../errors.js';
import { evaluateAlerts, worstExitCode, type AlertEvaluation, type JobExitCode } from '../observe/index.js';
import { writePrivateFile } from '../private-file.js';
import { generateStaging, loadStaging, nextDay } from '../sampledata/index.js';
import { runJob, type JobResult } from './run.js';

/** The local monday the demo syncs to. The CLI starts the emulator: jobs/ does not import it. */
export type DemoBoard = (opts: { token: string; timeScale: number; statePath: string }) => Promise<{ url: string; close(): Promise<void> }>;

export interface DemoOptions {
  /** Folder for the config, the SQLite database and the board state; must not hold a demo database yet. */
  dir: string;
  orders: number;
  seed: number;
  board: DemoBoard;
  /** Each day (0 first) once its run is done, for the caller to print as the demo goes. */
  onDay?: (day: DemoDay, index: number) => void;
}

export interface DemoDay {
  /** What the day brought to staging. */
  title: string;
  result: JobResult;
  /** The [alerts] evaluation `run` makes (no webhook is posted from a demo). */
  alerts: AlertEvaluation;
}

export interface DemoResult {
  dir: string;
  configPath: string;
  statePath: string;
  days: DemoDay[];
  /** The worst day's: a day exits as `ordersync run` would for it (exitCodeFor). */
  exitCode: JobExitCode;
}

/**
 * `ordersync demo`: the whole job on a fresh machine, with nothing configured: sample data in
 * a SQLite file, the board in-process with the shipped boards, day 1 (initial load) and day 2
 * (a day of changes and cancellations).
 */
export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const dir = resolve(opts.dir);
  const configPath = resolve(dir, 'ordersync.toml');
  const statePath = resolve(dir, 'board-state.json');
  if (existsSync(resolve(dir, 'ordersync.db'))) {
    throw new ConfigError(`${dir} already holds a demo database; remove the folder or pass --dir`);
  }
  mkdirSync(dir, { recursive: true });
  const token = `demo-${randomBytes(12).toString('hex')}`;
  // monday's real limits, with the minute shrunk to a second so the demo takes seconds;
  // the pacer follows the window the emulator reports, so the config keeps monday's budget.
  const board = await opts.board({ token, timeScale: 60, statePath });
  const days: DemoDay[] = [];
  try {
    await writePrivateFile(configPath, starterConfig({ apiUrl: board.url }));
    const envVars = { ...process.env, MONDAY_API_TOKEN: token, ORDERSYNC_ENV: undefined };
    const cfg = loadConfig({ path: configPath, envVars });
    const db = await openDatabase(databaseTarget(cfg, envVars));
    try {
      await migrateUp(db);
      const data = generateStaging({ seed: opts.seed, orders: opts.orders, customers: Math.max(3, Math.min(12, Math.ceil(opts.orders / 40))) });
      const table = cfg.settings.staging.table;
      const day = async (title: string): Promise<void> => {
        const result = await runJob(db, cfg, { command: 'run', envVars });
        const d = { title, result, alerts: await evaluateAlerts(db, cfg, result) };
        opts.onDay?.(d, days.push(d) - 1);
      };
      await loadStaging(db.raw, table, data.columns, data.rows, { dialect: 'sqlite' });
      await day(`day 1: ${opts.orders} generated orders (with duplicates, blank rows and cancellations) → ${board.url}`);
      const day2 = nextDay(data.rows, { seed: opts.seed + 1 });
      await loadStaging(db.raw, table, data.columns, day2.rows, { dialect: 'sqlite', replace: true });
      const changes = day2.summary().counts;
      await day(`day 2: ${Object.entries(changes).map(([k, v]) => `${v} ${k}`).join(', ')}`);
    } finally {
      await db.close();
    }
  } finally {
    await board.close();
  }
  return { dir, configPath, statePath, days, exitCode: worstExitCode(days.map((d) => d.alerts.exitCode)) };
}
