import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStaging, writeCsv } from '../../src/sampledata/index.js';
import { cliWorld, type CliWorld } from './cli-world.js';
import { webhook, type Webhook } from '../support/webhook.js';

/**
 * The canary and full steps of a cutover are runs like `run`: one that ends DEGRADED or FAILED
 * posts the webhook with its reasons, and the cutover exits as that run would. A preflight that
 * refuses posts it too, with the reason and what to do, and the cutover keeps its exit code.
 */
let hook: Webhook;
let received: Webhook['received'];
let w: CliWorld;
/** An environment the preflight refuses: its database is not migrated yet. */
let fresh: CliWorld;

const generated = generateStaging({ seed: 11, orders: 5, customers: 1, mess: false });
const [first] = generated.rows;
// monday refuses the date: the one order fails as FormatError, the others sync.
const rows = [...generated.rows, { ...first!, 'AAG ORDER NUMBER': 'BAD-DATE-1', 'EX FACTORY DATE': 'not a date' }];

beforeAll(async () => {
  hook = await webhook();
  received = hook.received;
  const env = { ORDERSYNC_ALERT_WEBHOOK: hook.url };
  w = await cliWorld({ env });
  fresh = await cliWorld({ env });
  expect((await w.cli(['migrate', 'up'])).code).toBe(0);
  expect((await w.cli(['board', 'snapshot'])).code).toBe(0);
  await writeCsv(join(w.dir, 'day1.csv'), generated.columns, rows);
  expect((await w.cli(['ingest', 'day1.csv', '--replace'])).code).toBe(0);
}, 60_000);

afterAll(async () => {
  hook?.close();
  await w?.close();
  await fresh?.close();
});

describe('cutover alerts (real CLI, emulator, webhook)', () => {
  it('a degraded canary posts the webhook with its reasons and stops the cutover with exit 2', async () => {
    const r = await w.cli(['cutover', '--limit', '10', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const out = JSON.parse(r.stdout) as { complete: boolean; steps: Array<{ step: string; status: string; runId?: number }> };
    const canary = out.steps.find((s) => s.step === 'canary');
    expect(canary?.status).toBe('degraded');
    expect(out.complete).toBe(false);
    expect(received).toHaveLength(1);
    expect(received[0]!.text).toMatch(new RegExp(`^ordersync dev: WARNING after run #${canary?.runId} \\(DEGRADED\\)`));
    expect(received[0]!.text).toMatch(/FormatError: 1 record\(s\)/);
  }, 120_000);

  it('a degraded full run posts the webhook too, and the text output lists its alerts', async () => {
    // A second order monday refuses, new to the merge, so the full run attempts it.
    await writeCsv(join(w.dir, 'day2.csv'), generated.columns, [...rows, { ...first!, 'AAG ORDER NUMBER': 'BAD-DATE-2', 'EX FACTORY DATE': 'not a date' }]);
    expect((await w.cli(['ingest', 'day2.csv', '--replace'])).code).toBe(0);
    const r = await w.cli(['cutover']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const full = /^full\s+degraded\s+run (\d+)/m.exec(r.stdout)?.[1];
    expect(full, r.stdout).toBeDefined();
    expect(r.stdout).toMatch(/^ {2}alerts:\n {4}\[warning\] failed_records: \d+ of \d+ records failed/m);
    expect(received).toHaveLength(2);
    expect(received[1]!.text).toMatch(new RegExp(`^ordersync dev: WARNING after run #${full} \\(DEGRADED\\)`));
  }, 120_000);
});

describe('cutover preflight alerts (real CLI, emulator, webhook)', () => {
  it('pending migrations: the webhook names them and the fix, the cutover still exits 3', async () => {
    // An empty database (not a missing one, which the CLI refuses before the cutover starts).
    writeFileSync(join(fresh.dir, 'ordersync.db'), '');
    const before = received.length;
    const r = await fresh.cli(['cutover']);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(received).toHaveLength(before + 1);
    const text = received[before]!.text;
    expect(text).toMatch(/^ordersync dev: CRITICAL\n/);
    expect(text).toMatch(/\[critical\] preflight_refused: the database schema of environment "dev" is not migrated .*give cutover --migrate/);
  }, 60_000);

  it('a token missing: the webhook names the variable, the cutover still exits 3', async () => {
    expect((await fresh.cli(['migrate', 'up'])).code).toBe(0);
    const before = received.length;
    const r = await fresh.cli(['cutover'], { MONDAY_API_TOKEN: undefined });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(received).toHaveLength(before + 1);
    expect(received[before]!.text).toMatch(/^ordersync dev: CRITICAL after run #\d+ \(FAILED\)\n• \[critical\] preflight_refused: environment variable MONDAY_API_TOKEN is not set/);
  }, 60_000);

  it('a mapping that does not fit the live board: the webhook names the check and its fix, the cutover exits 1', async () => {
    expect((await fresh.cli(['board', 'snapshot'])).code).toBe(0);
    // Someone deletes a mapped column on the board after the snapshot.
    for (const board of fresh.emulator.store.boards.values()) board.columns = board.columns.filter((c) => c.id !== 'text_mktdechp');
    const before = received.length;
    const r = await fresh.cli(['cutover']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^preflight\s+failed\s+run \d+.*\n {2}alerts:\n(?: {4}.*\n)*? {4}\[critical\] preflight_refused: mapping: 1 mapped column\(s\) do not fit the live boards/m);
    expect(received).toHaveLength(before + 1);
    const text = received[before]!.text;
    expect(text).toMatch(/^ordersync dev: CRITICAL after run #\d+ \(FAILED\)\n/);
    expect(text).toMatch(/preflight_refused: mapping: 1 mapped column\(s\) do not fit the live boards; a run would refuse to start — fix: Run `ordersync board snapshot`/);
  }, 60_000);
});
