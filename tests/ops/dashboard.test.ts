import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/jobs/run.js';
import { startOpsServer, type OpsServer } from '../../src/serve/server.js';
import { CHROMIUM, haveChromium, launchChromium, type OpsWorld, opsWorld, XSS_CUSTOMER } from './support.js';

/**
 * The dashboard in real headless Chromium (the Debian package; never a downloaded browser).
 * CI must have /usr/bin/chromium (`apt-get install -y chromium`); elsewhere the test skips.
 */
if (!haveChromium) console.warn(`[dashboard test] skipped: ${CHROMIUM} not found (apt-get install -y chromium)`);

describe.skipIf(!haveChromium)('dashboard in headless Chromium', () => {
  let w: OpsWorld;
  let srv: OpsServer;
  let browser: Browser;

  beforeAll(async () => {
    w = await opsWorld({
      orders: 40,
      edit: (rows) => {
        const real = rows.filter((r) => r['AAG ORDER NUMBER']);
        for (const r of real.slice(0, 4)) r['CUSTOMER NAME'] = XSS_CUSTOMER;
        for (const r of real.slice(8, 10)) r['ORDER TYPE'] = 'WEIRD TYPE';
      },
    });
    await runJob(w.db, w.cfg, { command: 'run', envVars: w.envVars });
    srv = await startOpsServer(w.db, w.cfg, { host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    await w?.close();
  });

  it('shows runs, backlog, errors, customers and an order history; data renders as text', async () => {
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const failedKey = (await w.db.kysely.selectFrom('orders').select('order_key').where('last_error_code', '=', 'MissingLabel').limit(1).executeTakeFirstOrThrow()).order_key;
    const xssKey = (await w.db.kysely.selectFrom('orders').select('order_key').where('customer', '=', XSS_CUSTOMER).where('sync_state', '=', 'SYNCED').limit(1).executeTakeFirstOrThrow()).order_key;

    await page.goto(srv.url);
    await page.locator('#runs tbody tr').first().waitFor();
    expect(await page.locator('#env').textContent()).toBe('dev');
    expect(await page.locator('#runs tbody tr').first().textContent()).toMatch(/#1run(OK|DEGRADED)/);
    expect(await page.locator('#backlog').textContent()).toMatch(/Pending orders/);
    expect(await page.locator('#states tbody tr').count()).toBeGreaterThan(1);
    const errors = page.locator('#errors tbody');
    expect(await errors.textContent()).toMatch(/MissingLabel/);
    expect(await errors.textContent()).toMatch(/create_labels/);
    // the customer named like an HTML tag is shown as text, and no element was injected
    const cell = page.locator('#customers tbody td', { hasText: XSS_CUSTOMER }).first();
    await expect.poll(() => cell.isVisible()).toBe(true);
    expect(await cell.textContent()).toBe(XSS_CUSTOMER);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('#customers progress').count()).toBeGreaterThan(0);

    // order lookup
    await page.fill('#order-key', failedKey);
    await page.click('#lookup button');
    await page.locator('#order-events tbody tr td', { hasText: 'MissingLabel' }).first().waitFor();
    expect(await page.locator('#order-summary').textContent()).toMatch(/ERROR/);
    await page.fill('#order-key', xssKey);
    await page.click('#lookup button');
    await page.locator('#order-api tbody tr td', { hasText: 'MutationBatch' }).first().waitFor();
    expect(await page.locator('#order-summary').textContent()).toContain(XSS_CUSTOMER);

    const dir = join(tmpdir(), 'ordersync-screenshots');
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, 'dashboard.png'), fullPage: true });
    expect(existsSync(join(dir, 'dashboard.png'))).toBe(true);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('asks for the token when the server requires one, then loads', async () => {
    const guarded = await startOpsServer(w.db, w.cfg, { host: '0.0.0.0', port: 0, token: 'dash-token-123' });
    try {
      const page = await browser.newPage();
      await page.goto(guarded.url.replace('0.0.0.0', '127.0.0.1'));
      await page.locator('#auth').waitFor({ state: 'visible' });
      expect(await page.locator('#main').isHidden()).toBe(true);
      await page.fill('#token', 'dash-token-123');
      await page.click('#auth button');
      await page.locator('#runs tbody tr').first().waitFor();
      expect(await page.locator('#main').isVisible()).toBe(true);
    } finally {
      await guarded.close();
    }
  });
});
