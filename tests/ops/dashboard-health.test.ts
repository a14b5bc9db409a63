import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/jobs/run.js';
import { startOpsServer, type OpsServer } from '../../src/serve/server.js';
import { loadStaging, type StagingRow } from '../../src/sampledata/index.js';
import { haveChromium, launchChromium, type OpsWorld, opsWorld } from './support.js';

/**
 * The dashboard's first answer is the health banner: for an OK, a DEGRADED and a FAILED last
 * run (real runs against the emulator) it names the verdict and one thing to do; each chart
 * has one point per sync run in the database; without JavaScript the tables are still there.
 */

describe.skipIf(!haveChromium)('dashboard health banner and charts', () => {
  let w: OpsWorld;
  let srv: OpsServer;
  let browser: Browser;
  const shots = mkdtempSync(join(tmpdir(), 'ordersync-dashboard-'));

  beforeAll(async () => {
    w = await opsWorld({ orders: 30 });
    srv = await startOpsServer(w.db, w.cfg, { host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    await w?.close();
  });

  async function restage(change: (rows: StagingRow[]) => void): Promise<void> {
    change(w.rows);
    await loadStaging(w.db.raw, w.cfg.settings.staging.table, w.columns, w.rows, { dialect: 'sqlite', replace: true });
  }
  const real = () => w.rows.filter((r) => r['AAG ORDER NUMBER'] && r['ORDER TYPE'] !== 'CANCELLED');
  const syncRuns = async () => (await w.db.kysely.selectFrom('sync_runs').select('id').where('command', '=', 'run').execute()).length;

  async function look(state: string, opts: { javaScript?: boolean } = {}) {
    const context = await browser.newContext({ javaScriptEnabled: opts.javaScript ?? true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(srv.url);
    if (opts.javaScript ?? true) await page.locator('#chart-records canvas').first().waitFor();
    const path = join(shots, `dashboard-${state}.png`);
    await page.screenshot({ path, fullPage: true });
    console.log(`[dashboard] ${state}: screenshot ${path}`);
    return { page, pageErrors, close: () => context.close() };
  }

  it.each([
    ['OK', async () => undefined],
    [
      'DEGRADED',
      async () =>
        restage(() => {
          for (const r of real()) r['PO NUMBER'] = `${String(r['PO NUMBER'] ?? '')}-2`;
          (real()[0] as StagingRow)['ORDER TYPE'] = 'NO SUCH TYPE';
        }),
    ],
    [
      'FAILED',
      async () => {
        await restage(() => {
          for (const r of real()) r['PO NUMBER'] = `${String(r['PO NUMBER'] ?? '')}-3`;
        });
        w.emulator.faults.next(200, '503');
      },
    ],
  ])('a last run that is %s shows as such, with what to do, and one chart point per run', async (verdict, before) => {
    await before();
    const result = await runJob(w.db, w.cfg, { command: 'run', envVars: w.envVars }).catch((err: unknown) => err);
    w.emulator.faults.clear();
    const status = (await w.db.kysely.selectFrom('sync_runs').select('status').orderBy('id', 'desc').executeTakeFirstOrThrow()).status;
    expect(status, String((result as { verdict?: { summary: string } }).verdict?.summary ?? result)).toBe(verdict);

    const { page, pageErrors, close } = await look(verdict);
    expect(await page.locator('#health .verdict').textContent()).toBe(`Last sync run: ${verdict}`);
    expect(await page.locator('#health').getAttribute('class')).toContain(`health-${verdict}`);
    const todo = (await page.locator('#health .todo').textContent()) ?? '';
    if (verdict === 'OK') expect(todo).toMatch(/Nothing to do/);
    if (verdict === 'DEGRADED') expect(todo).toMatch(/MissingLabel.*create_labels/);
    if (verdict === 'FAILED') expect(todo).toMatch(/^What to do: HTTP_503: Usually transient: the rows stay queued/);
    const runs = await syncRuns();
    for (const chart of ['records', 'duration', 'backlog', 'complexity']) {
      expect(await page.locator(`#chart-${chart}`).getAttribute('data-points'), chart).toBe(String(runs));
    }
    // Times shown in local time, UTC on hover; big numbers grouped by thousands.
    expect(await page.locator('#runs time').first().getAttribute('title')).toMatch(/UTC$/);
    expect(await page.locator('#runs tbody').textContent()).toMatch(/\d{1,3}(,\d{3})+/);
    expect(pageErrors).toEqual([]);
    await close();
  });

  it('reads without JavaScript: banner and tables are in the page itself', async () => {
    const { page, close } = await look('no-javascript', { javaScript: false });
    expect(await page.locator('#health .verdict').textContent()).toBe('Last sync run: FAILED');
    expect(await page.locator('#runs tbody tr').count()).toBe(await syncRuns());
    expect(await page.locator('#customers tbody tr.total').textContent()).toMatch(/^Total/);
    expect(await page.locator('#runs time').first().textContent()).toMatch(/UTC$/);
    await close();
  });
});
