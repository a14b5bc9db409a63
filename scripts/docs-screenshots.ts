/**
 * Regenerates docs/img/dashboard.png: two real runs (an initial load, then a day with a value the
 * board has no label for) against the in-process emulator and a SQLite file, the dashboard served
 * and photographed in Debian's Chromium. `npm run docs:screenshots`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { loadConfig, starterConfig } from '../src/config/index.js';
import { databaseTarget, openDatabase } from '../src/db/connect.js';
import { migrateUp } from '../src/db/migrations/index.js';
import { customerMasterScheduleSeed, startEmulator } from '../src/emulator/index.js';
import { runJob } from '../src/jobs/run.js';
import { startOpsServer } from '../src/serve/server.js';
import { generateStaging, loadStaging } from '../src/sampledata/index.js';

const out = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'img', 'dashboard.png');
const dir = mkdtempSync(join(tmpdir(), 'ordersync-shots-'));
const emulator = await startEmulator({ timeScale: 60, seed: customerMasterScheduleSeed() });
try {
  const file = join(dir, 'ordersync.toml');
  writeFileSync(file, starterConfig({ apiUrl: emulator.url, complexityPerMinute: 600_000_000 }), { mode: 0o600 });
  const envVars = { ...process.env, MONDAY_API_TOKEN: emulator.token, ORDERSYNC_ENV: undefined };
  const cfg = loadConfig({ path: file, envVars });
  const db = await openDatabase(databaseTarget(cfg, envVars));
  await migrateUp(db);
  const data = generateStaging({ seed: 7, orders: 120, customers: 4 });
  const rows = [...data.rows];
  const stage = () => loadStaging(db.raw, cfg.settings.staging.table, data.columns, rows, { dialect: 'sqlite', replace: true });
  await stage();
  await runJob(db, cfg, { command: 'run', envVars });
  for (const r of rows.slice(0, 30)) r['PO NUMBER'] = `${String(r['PO NUMBER'] ?? '')}-B`;
  for (const r of rows.slice(30, 32)) r['ORDER TYPE'] = 'SAMPLE RUN';
  await stage();
  await runJob(db, cfg, { command: 'run', envVars });
  const server = await startOpsServer(db, cfg, { host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(server.url);
    await page.locator('#chart-records canvas').first().waitFor();
    mkdirSync(dirname(out), { recursive: true });
    await page.screenshot({ path: out, fullPage: false });
    console.log(`wrote ${out}`);
  } finally {
    await browser.close();
    await server.close();
    await db.close();
  }
} finally {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
}
