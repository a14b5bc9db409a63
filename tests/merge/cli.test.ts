import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsSchema } from '../../src/config/schema.js';
import { loadConfig } from '../../src/config/index.js';
import { databaseTarget, openDatabase } from '../../src/db/connect.js';
import { SOURCE_COLUMNS } from '../../src/ingest/source-columns.js';
import { runGen } from '../../src/sampledata/index.js';
import { runCli } from '../support/cli.js';

const source = (file: string, row: number, line: number, seq: number) => ({
  [SOURCE_COLUMNS.file]: file,
  [SOURCE_COLUMNS.row]: row,
  [SOURCE_COLUMNS.line]: line,
  [SOURCE_COLUMNS.seq]: seq,
});

/** `ordersync gen` and `ordersync ingest`, run as a user would, in a scratch folder with a starter config. */
describe('ordersync gen and ingest', () => {
  let dir: string;
  const cli = (...args: string[]) => runCli(args, { cwd: dir, timeoutMs: 60_000 });
  const staged = async (table = 'staging_order_list') => {
    const db = await openDatabase({ dialect: 'sqlite', path: join(dir, 'ordersync.db'), tables: settingsSchema.parse({}).database.tables });
    try {
      return await db.raw.selectFrom(table).selectAll().execute();
    } finally {
      await db.close();
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ordersync-cli-merge-'));
    expect((await cli('init')).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gen writes the seeded sample files (day 0 and the next day), byte for byte what runGen writes', async () => {
    const r = await cli('gen', '--orders', '40', '--seed', '7', '--out', 'out', '--next-day');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wrote out\/staging-day0\.csv: \d+ rows/);
    expect(r.stdout).toMatch(/wrote out\/staging-day1\.csv: \d+ rows/);
    expect(r.stdout).toMatch(/day 1 against day 0: .*\d+ (quantity|sizeAdded|header|cancelled|vanished|added)/);

    const ref = join(dir, 'ref');
    await runGen({ out: ref, seed: 7, orders: 40, days: 1 });
    for (const f of ['staging-day0.csv', 'staging-day1.csv', 'staging-day1.summary.json']) {
      expect(readFileSync(join(dir, 'out', f), 'utf8'), f).toBe(readFileSync(join(ref, f), 'utf8'));
    }
    expect(readFileSync(join(dir, 'out', 'staging-day0.csv'), 'utf8').split('\n')[0]).toMatch(/^record_uuid,AAG ORDER NUMBER,CUSTOMER NAME,/);

    const help = await cli('gen', '--help');
    expect(help.stdout).toMatch(/--orders <n>/);
    expect(help.stdout).toMatch(/--next-day/);
    const bad = await cli('gen', '--orders', 'many');
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/--orders needs a non-negative integer/);
  });

  it('ingest loads a file into staging.table; exit 0 when every row loaded, and merge reads it', async () => {
    await runGen({ out: join(dir, 'clean'), seed: 3, orders: 30, mess: false });
    const r = await cli('ingest', 'clean/staging-day0.csv', '--replace');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/→ "staging_order_list" \(table created\): 30 rows read, 30 loaded, 0 blank skipped, 0 rejected, 411 columns/);
    expect(await staged()).toHaveLength(30);
    // --replace empties the table first (appending would stage every key twice).
    expect((await cli('ingest', 'clean/staging-day0.csv', '--replace')).stdout).toMatch(/\(rows replaced\): 30 rows read, 30 loaded/);
    expect(await staged()).toHaveLength(30);

    expect((await cli('migrate', 'up')).code).toBe(0);
    const dry = await cli('merge', '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    const dryRun = JSON.parse(dry.stdout);
    expect(dryRun).toMatchObject({ dryRun: true, counts: { staged_rows: 30, new: 30, rows_written: 0 } });
    expect(dryRun).not.toHaveProperty('runId');
    const real = await cli('merge', '--json');
    expect(real.code, real.stderr).toBe(0);
    const m = JSON.parse(real.stdout);
    expect(m.counts).toMatchObject({ staged_rows: 30, new: 30, rejected: 0 });

    // A real merge is a job: it ran under the lock and left its run record; the dry run left none.
    const cfg = loadConfig({ path: join(dir, 'ordersync.toml') });
    const db = await openDatabase(databaseTarget(cfg));
    try {
      const runs = await db.kysely.selectFrom('sync_runs').select(['id', 'command', 'status']).execute();
      expect(runs).toEqual([{ id: m.runId, command: 'merge', status: 'OK' }]);
      expect(await db.kysely.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst()).toMatchObject({ n: 30 });
    } finally {
      await db.close();
    }
  });

  it('ingest lists rejected rows with their numbers and exits 2; --json carries the full report', async () => {
    const csv = ['AAG ORDER NUMBER,CUSTOMER NAME,S', 'A-1,GREYSON,1', ',,', 'A-2,GREYSON', 'A-3,GREYSON,4', ''].join('\n');
    writeFileSync(join(dir, 'small.csv'), csv);
    const cfg = readFileSync(join(dir, 'ordersync.toml'), 'utf8');
    writeFileSync(join(dir, 'small.toml'), `${cfg}\n[env.small]\nstaging = { table = "small_staging" }\n`);
    const r = await cli('--config', 'small.toml', '--env', 'small', 'ingest', 'small.csv', '--json');
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ table: 'small_staging', rowsRead: 4, rowsLoaded: 2, rowsBlank: 1, rowsRejected: 1 });
    expect(report.rejected).toEqual([{ file: 'small.csv', row: 4, line: 4, reason: '2 fields, the header has 3' }]);

    expect(await staged('small_staging')).toEqual([
      { 'AAG ORDER NUMBER': 'A-1', 'CUSTOMER NAME': 'GREYSON', S: '1', ...source('small.csv', 2, 2, 1) },
      { 'AAG ORDER NUMBER': 'A-3', 'CUSTOMER NAME': 'GREYSON', S: '4', ...source('small.csv', 5, 5, 2) },
    ]);

    // The default table exists with other columns: the mismatch is named and nothing is loaded.
    const human = await cli('ingest', 'small.csv');
    expect(human.code).toBe(3);
    expect(human.stderr).toMatch(/table columns missing from the file: "record_uuid"/);
  });

  it('ingest of a file whose only oddity is blank rows (as Excel leaves them) exits 0 and says how many it skipped', async () => {
    const csv = ['AAG ORDER NUMBER,CUSTOMER NAME,S', 'B-1,GREYSON,1', ',,', '', 'B-2,GREYSON,2', ' , ,', ''].join('\n');
    writeFileSync(join(dir, 'blanks.csv'), csv);
    const cfg = readFileSync(join(dir, 'ordersync.toml'), 'utf8');
    writeFileSync(join(dir, 'blanks.toml'), `${cfg}\n[env.blanks]\nstaging = { table = "blank_staging" }\n`);
    const r = await cli('--config', 'blanks.toml', '--env', 'blanks', 'ingest', 'blanks.csv');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/: 5 rows read, 2 loaded, 3 blank skipped, 0 rejected, 3 columns/);
    expect(await staged('blank_staging')).toEqual([
      { 'AAG ORDER NUMBER': 'B-1', 'CUSTOMER NAME': 'GREYSON', S: '1', ...source('blanks.csv', 2, 2, 1) },
      { 'AAG ORDER NUMBER': 'B-2', 'CUSTOMER NAME': 'GREYSON', S: '2', ...source('blanks.csv', 5, 5, 2) },
    ]);
  });

  it('ingest into a protected environment needs --yes', async () => {
    writeFileSync(join(dir, 'ok.csv'), 'AAG ORDER NUMBER,S\nA-1,1\n');
    const cfg = readFileSync(join(dir, 'ordersync.toml'), 'utf8');
    writeFileSync(join(dir, 'prod.toml'), `${cfg}\n[env.prod]\nprotected = true\nstaging = { table = "prod_staging" }\n`);
    const refused = await cli('--config', 'prod.toml', '--env', 'prod', 'ingest', 'ok.csv');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/protected: pass --yes/);
    const done = await cli('--config', 'prod.toml', '--env', 'prod', '--yes', 'ingest', 'ok.csv');
    expect(done.code).toBe(0);
    expect(await staged('prod_staging')).toEqual([{ 'AAG ORDER NUMBER': 'A-1', S: '1', ...source('ok.csv', 2, 2, 1) }]);
    expect((await cli('ingest', '--help')).stdout).toMatch(/Exit\s+code\s+0\s+when\s+every\s+non-blank\s+row\s+loaded\s+cleanly,\s+2\s+when\s+some\s+were\s+rejected/);
  });
});
