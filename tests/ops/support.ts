import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, starterConfig, type ResolvedConfig } from '../../src/config/index.js';
import { databaseTarget, openDatabase, type Db } from '../../src/db/connect.js';
import { migrateUp } from '../../src/db/migrations/index.js';
import { customerMasterScheduleSeed, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { generateStaging, loadStaging, type StagingRow } from '../../src/sampledata/index.js';

export const XSS_CUSTOMER = '<img src=x onerror=alert(1)>';

export interface OpsWorld {
  dir: string;
  file: string;
  cfg: ResolvedConfig;
  db: Db;
  emulator: RunningEmulator;
  envVars: NodeJS.ProcessEnv;
  rows: StagingRow[];
  columns: ReturnType<typeof generateStaging>['columns'];
  close(): Promise<void>;
}

/**
 * A real SQLite database and the in-process emulator (60× time) with the shipped boards,
 * loaded with generated orders. `extraToml` is appended to the starter config; `edit`
 * may change the staging rows (e.g. a customer named like an HTML tag, a bad value).
 */
export async function opsWorld(opts: { orders?: number; seed?: number; extraToml?: string; createLabels?: boolean; latencyMs?: number; edit?: (rows: StagingRow[]) => void } = {}): Promise<OpsWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'ordersync-ops-'));
  const timeScale = 60;
  const emulator = await startEmulator({ timeScale, seed: customerMasterScheduleSeed(), latencyMs: opts.latencyMs });
  let text = starterConfig({ apiUrl: emulator.url });
  if (opts.createLabels === false) {
    // The customer column may not get new labels: new customers fail with MissingLabel.
    text = text.replace('"dropdown_mkr542p2" = true', '"dropdown_mkr542p2" = false');
  }
  text += opts.extraToml ?? '';
  const file = join(dir, 'ordersync.toml');
  writeFileSync(file, text, { mode: 0o600 });
  const envVars: NodeJS.ProcessEnv = { ...process.env, MONDAY_API_TOKEN: emulator.token, ORDERSYNC_ENV: undefined, ORDERSYNC_ALERT_WEBHOOK: undefined };
  const cfg = loadConfig({ path: file, envVars });
  const db = await openDatabase(databaseTarget(cfg, envVars));
  await migrateUp(db);
  const data = generateStaging({ seed: opts.seed ?? 11, orders: opts.orders ?? 60, customers: 3 });
  const rows = [...data.rows];
  opts.edit?.(rows);
  await loadStaging(db.raw, cfg.settings.staging.table, data.columns, rows, { dialect: 'sqlite' });
  return {
    dir,
    file,
    cfg,
    db,
    emulator,
    envVars,
    rows,
    columns: data.columns,
    async close() {
      await db.close().catch(() => undefined);
      await emulator.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Debian's Chromium for the dashboard tests (never a downloaded browser). CI must have it
 * (`apt-get install -y chromium`); elsewhere the browser tests skip, saying so.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === 'true') {
  throw new Error(`${CHROMIUM} is missing: CI must run \`apt-get install -y chromium\` before the tests`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** Resolves once the child logs the first written batch of items. */
export function firstItemsBatch(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stderr?.on('data', (d: Buffer) => {
      buf += d.toString();
      if (/"phase":"items","done":[1-9]/.test(buf)) resolve();
    });
    child.on('exit', () => reject(new Error(`exited before the first batch:\n${buf}`)));
  });
}
