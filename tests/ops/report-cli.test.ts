import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { databaseTarget, openDatabase, type Db } from '../../src/db/connect.js';
import { startOpsServer, type OpsServer } from '../../src/serve/server.js';
import { cliWorld, type CliWorld } from './cli-world.js';
import { haveChromium, launchChromium } from './support.js';

/**
 * `ordersync report` through the built CLI on a run that went wrong the ordinary ways: a
 * label monday refuses (MissingLabel), a staging row sent twice (rejected, with its file and
 * line) and a customer whose name holds markup. The report leads with the summary, then what
 * failed, and only then the per-customer table.
 */

const ODD_CUSTOMER = 'Smith & <Sons> "Ltd"';
let w: CliWorld;
let customer: string;

const csvField = (v: string) => `"${v.replace(/"/g, '""')}"`;

beforeAll(async () => {
  w = await cliWorld();
  const must = async (args: string[], code = 0) => {
    const r = await w.cli(args);
    if (r.code !== code) throw new Error(`ordersync ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  };
  await must(['migrate', 'up']);
  await must(['gen', '--orders', '20', '--clean', '--out', 'data']);
  const file = join(w.dir, 'data', 'staging-day0.csv');
  const [head, ...rows] = parse(readFileSync(file, 'utf8')) as string[][];
  const col = (name: string) => head!.indexOf(name);
  const real = rows.filter((r) => r[col('AAG ORDER NUMBER')] && r[col('ORDER TYPE')] !== 'CANCELLED');
  real[0]![col('ORDER TYPE')] = 'NO SUCH TYPE'; // label creation is off for ORDER TYPE: MissingLabel
  for (const r of real.slice(1, 3)) r[col('CUSTOMER NAME')] = ODD_CUSTOMER;
  customer = real[4]![col('CUSTOMER NAME')]!;
  rows.push([...real[5]!]); // the same order twice: both copies rejected (duplicate_policy "error")
  writeFileSync(file, `${[head!, ...rows].map((r) => r.map(csvField).join(',')).join('\n')}\n`);
  await must(['ingest', 'data/staging-day0.csv', '--replace']);
  await must(['board', 'snapshot']);
  await must(['run'], 2);
});
afterAll(async () => {
  await w?.close();
});

describe('report', () => {
  it('Markdown leads with the verdict, records, what failed and what to do, then failures, then customers; never an HTML entity', async () => {
    const r = await w.cli(['report']);
    expect(r.code, r.stderr).toBe(0);
    const md = r.stdout;
    const at = (s: string) => md.indexOf(s);
    expect(md).toMatch(/^> \*\*Verdict: DEGRADED\*\* — DEGRADED — run #\d+ \(run\)/m);
    expect(md).toMatch(/^> \*\*Records:\*\* \d+ records written, 1 failed, \d+ cancelled/m);
    expect(md).toMatch(/^> - MissingLabel: 1 record\(s\) \(column dropdown_mkr518fc\)$/m);
    expect(md).toMatch(/^> - 2 staging row\(s\) rejected/m);
    expect(md).toMatch(/^> - MissingLabel: Allow label creation/m);
    expect(at('**Verdict')).toBeLessThan(at('## Failures in this run'));
    expect(at('## Failures in this run')).toBeLessThan(at('## Staging rows rejected by this run'));
    expect(at('## Staging rows rejected by this run')).toBeLessThan(at('## Per customer and season'));
    expect(md).toMatch(/\| staging-day0\.csv row \d+ \| [A-Z]+-\d+ \| duplicate key/);
    // Markdown escapes (a backslash keeps markup text), never HTML entities.
    expect(md).toContain('Smith & \\<Sons> "Ltd"');
    expect(md).not.toMatch(/&(lt|gt|amp|quot|#\d+);/);
    // The total row's band is the run's verdict.
    expect(md).toMatch(/^\| \*\*Total\*\* \|.*\| DEGRADED \|$/m);
  });

  it('HTML: the summary box first in the run\'s band, failures before customers, prose left-aligned, values escaped', async () => {
    const out = join(w.dir, 'report.html');
    const r = await w.cli(['report', '--format', 'html', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    const at = (s: string) => html.indexOf(s);
    expect(html).toMatch(/<section id="summary" class="summary band-DEGRADED">\s*<p class="verdict"><strong>Verdict: DEGRADED<\/strong>/);
    expect(at('id="summary"')).toBeLessThan(at('id="failures"'));
    expect(at('id="failures"')).toBeLessThan(at('id="rejected"'));
    expect(at('id="rejected"')).toBeLessThan(at('id="customers"'));
    expect(html).toMatch(/<tr class="total band-DEGRADED"><td>Total<\/td>.*<td>DEGRADED<\/td><\/tr>/);
    // Only figures are right-aligned: text cells carry no num class, the default is left.
    expect(html).toMatch(/td,th\{[^}]*text-align:left/);
    expect(html).toMatch(/<td class="prose">[^<]*label/i);
    expect(html).not.toMatch(/<td class="num">[^<]*[A-Za-z]{3}/);
    expect(html).not.toContain('<Sons>');
    expect(html).toContain('Smith &#38; &#60;Sons&#62; &#34;Ltd&#34;');
  });

  it('--customer matches in any case; an unknown customer exits 3 naming the known ones', async () => {
    const lower = await w.cli(['report', '--customer', customer.toLowerCase(), '--format', 'json']);
    expect(lower.code, lower.stderr).toBe(0);
    const rep = JSON.parse(lower.stdout) as { customer: string; rows: Array<{ customer: string }>; totals: { orders: number } };
    expect(rep.customer).toBe(customer);
    expect(new Set(rep.rows.map((x) => x.customer))).toEqual(new Set([customer]));
    expect(rep.totals.orders).toBeGreaterThan(0);

    const unknown = await w.cli(['report', '--customer', 'NO SUCH CUSTOMER']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('--customer "NO SUCH CUSTOMER": no orders of that customer; known customers: ');
    expect(unknown.stderr).toContain(customer);
    expect(unknown.stderr).toContain(ODD_CUSTOMER);
  });
});

describe.skipIf(!haveChromium)('dashboard failures', () => {
  let db: Db;
  let srv: OpsServer;
  let browser: Browser;
  beforeAll(async () => {
    const envVars = { ...process.env, ...w.env, ORDERSYNC_ENV: undefined } as NodeJS.ProcessEnv;
    const cfg = loadConfig({ path: w.file, envVars });
    db = await openDatabase(databaseTarget(cfg, envVars));
    srv = await startOpsServer(db, cfg, { host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    await db?.close();
  });

  it('lists the rejected staging rows with their file and line, next to the errors by code', async () => {
    const page = await browser.newPage();
    await page.goto(srv.url);
    const rejected = page.locator('#failures #rejected tbody tr');
    expect(await rejected.count()).toBe(2);
    expect(await rejected.first().textContent()).toMatch(/^staging-day0\.csv row \d+[A-Z]+-\d+duplicate key/);
    expect(await page.locator('#failures #errors tbody').textContent()).toMatch(/MissingLabel/);
    await page.close();
  });
});
