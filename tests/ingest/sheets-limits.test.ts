import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { starterConfig } from '../../src/config/index.js';
import { ExitCode } from '../../src/errors.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, postgresAvailable } from '../support/engines.js';

/**
 * `ordersync ingest` as a child process on workbooks and CSVs made here: which sheet is read,
 * what a sheet must hold, merged cells, the size a workbook may declare, the engine's column
 * limit and text that merely contains U+FFFD.
 */
const root = mkdtempSync(join(tmpdir(), 'ordersync-sheets-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const KEY = 'AAG ORDER NUMBER';
const havePostgres = await postgresAvailable();
let projects = 0;

function project(extraToml = ''): { dir: string; file: string; rows(): Array<Record<string, unknown>>; hasTable(): boolean } {
  const dir = join(root, `p${projects++}`);
  mkdirSync(dir);
  const file = join(dir, 'ordersync.toml');
  writeFileSync(file, starterConfig() + extraToml, { mode: 0o600 });
  const query = <T>(fn: (db: Database.Database) => T): T => {
    const db = new Database(join(dir, 'ordersync.db'), { readonly: true });
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };
  return {
    dir,
    file,
    rows: () => query((db) => db.prepare('select * from staging_order_list').all() as Array<Record<string, unknown>>),
    hasTable: () => query((db) => db.prepare("select 1 from sqlite_master where name = 'staging_order_list'").get() !== undefined),
  };
}

const ingest = (p: { dir: string; file: string }, args: string[], env: Record<string, string | undefined> = {}) =>
  runCli(['--config', p.file, 'ingest', ...args], { cwd: p.dir, env, timeoutMs: 60_000 });

async function workbook(path: string, build: (wb: ExcelJS.Workbook) => void): Promise<string> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  await wb.xlsx.writeFile(path);
  return path;
}

const orderSheet = (wb: ExcelJS.Workbook, name: string, keys: string[], opts: { state?: 'hidden' | 'veryHidden' } = {}) => {
  const ws = wb.addWorksheet(name, opts.state ? { state: opts.state } : {});
  ws.addRow([KEY, 'CUSTOMER NAME', 'XS']);
  for (const [i, k] of keys.entries()) ws.addRow([k, 'GREYSON', i + 1]);
  return ws;
};

describe('ingest .xlsx: which sheet', () => {
  it('skips a hidden first sheet and loads the first visible one', async () => {
    const p = project();
    const path = await workbook(join(p.dir, 'hidden-first.xlsx'), (wb) => {
      orderSheet(wb, 'LAST WEEK', ['OLD-1', 'OLD-2'], { state: 'hidden' });
      orderSheet(wb, 'SECRET', ['OLD-3'], { state: 'veryHidden' });
      orderSheet(wb, 'ORDER LIST', ['NEW-1', 'NEW-2', 'NEW-3']);
    });
    const r = await ingest(p, [path]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/sheet "ORDER LIST"/);
    expect(p.rows().map((x) => x[KEY]).sort()).toEqual(['NEW-1', 'NEW-2', 'NEW-3']);
  });

  it('--sheet NAME loads that sheet (hidden or not); an unknown name lists the sheets', async () => {
    const p = project();
    const path = await workbook(join(p.dir, 'two.xlsx'), (wb) => {
      orderSheet(wb, 'ORDER LIST', ['A-1']);
      orderSheet(wb, 'Backup', ['B-1', 'B-2'], { state: 'hidden' });
    });
    const r = await ingest(p, [path, '--sheet', 'Backup']);
    expect(r.code, r.stderr).toBe(0);
    expect(p.rows().map((x) => x[KEY]).sort()).toEqual(['B-1', 'B-2']);
    const bad = await ingest(p, [path, '--sheet', 'Orders']);
    expect(bad.code).toBe(ExitCode.config);
    expect(bad.stderr).toMatch(/two\.xlsx: no sheet named "Orders" \(sheets: "ORDER LIST", "Backup" \(hidden\)\)/);
    const csv = join(p.dir, 'x.csv');
    writeFileSync(csv, `${KEY}\nA-1\n`);
    const onCsv = await ingest(p, [csv, '--sheet', 'ORDER LIST']);
    expect(onCsv.code).toBe(ExitCode.config);
    expect(onCsv.stderr).toMatch(/--sheet applies to \.xlsx files/);
  });

  it('refuses a sheet without the key column, naming file, sheet and column; nothing is created', async () => {
    const p = project();
    const path = await workbook(join(p.dir, 'cover.xlsx'), (wb) => {
      const cover = wb.addWorksheet('Cover');
      cover.addRow(['Greyson order list, week 14']);
      cover.addRow(['prepared by the customer']);
      orderSheet(wb, 'ORDER LIST', ['A-1']);
    });
    const r = await ingest(p, [path]);
    expect(r.code).toBe(ExitCode.config);
    expect(r.stderr).toMatch(/cover\.xlsx: sheet "Cover": the header row \(row 1\) has no "AAG ORDER NUMBER" column \(staging\.key_columns\); pass --sheet NAME/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(p.hasTable()).toBe(false);

    const csv = join(p.dir, 'nokey.csv');
    writeFileSync(csv, 'ORDER,XS\nA-1,3\n');
    const c = await ingest(p, [csv]);
    expect(c.code).toBe(ExitCode.config);
    expect(c.stderr).toMatch(/nokey\.csv: the header row \(row 1\) has no "AAG ORDER NUMBER" column \(staging\.key_columns\)/);
  });

  it('warns with the cell range of merged cells (exit 2), loading the rows', async () => {
    const p = project();
    const path = await workbook(join(p.dir, 'merged.xlsx'), (wb) => {
      const ws = orderSheet(wb, 'ORDER LIST', ['M-1', 'M-2', 'M-3', 'M-4']);
      ws.mergeCells('B3:B5');
    });
    const r = await ingest(p, [path]);
    expect(r.code, r.stderr).toBe(ExitCode.degraded);
    expect(r.stdout).toMatch(/warning: \S*merged\.xlsx: sheet "ORDER LIST": merged cells B3:B5 \(column "CUSTOMER NAME"\): only B3 holds the value; rows 4–5 load it empty/);
    expect(p.rows()).toHaveLength(4);
    const json = await ingest(p, [path, '--replace', '--json']);
    expect(JSON.parse(json.stdout).warnings).toEqual([expect.stringMatching(/merged cells B3:B5/)]);
  });
});

/** Rewrites the uncompressed size one central-directory entry declares (the local headers stay true). */
function declareSize(path: string, entry: string, bytes: number): void {
  const zip = readFileSync(path);
  let patched = 0;
  for (let at = zip.indexOf(Buffer.from('PK\x01\x02', 'latin1')); at !== -1; at = zip.indexOf(Buffer.from('PK\x01\x02', 'latin1'), at + 4)) {
    const nameLength = zip.readUInt16LE(at + 28);
    if (zip.toString('utf8', at + 46, at + 46 + nameLength) === entry) {
      zip.writeUInt32LE(bytes, at + 24);
      patched++;
    }
  }
  expect(patched).toBe(1);
  writeFileSync(path, zip);
}

describe('ingest .xlsx: declared size', () => {
  it('refuses a workbook declaring more than 200 MB uncompressed before parsing it', async () => {
    const p = project();
    const path = await workbook(join(p.dir, 'bomb.xlsx'), (wb) => orderSheet(wb, 'ORDER LIST', ['Z-1']));
    declareSize(path, 'xl/worksheets/sheet1.xml', 300 * 1024 * 1024);
    const r = await ingest(p, [path]);
    // The sheet really is tiny: had the parser been handed the file, it would have loaded.
    expect(r.code).toBe(ExitCode.config);
    expect(r.stderr).toMatch(/bomb\.xlsx: declares 300\.\d MB uncompressed \(xl\/worksheets\/sheet1\.xml 300\.0 MB\), over the 200 MB limit \(ingest\.max_xlsx_uncompressed_mb\)/);
    expect(p.hasTable()).toBe(false);
  });

  it('takes the limit from ingest.max_xlsx_uncompressed_mb', async () => {
    const p = project('\n[ingest]\nmax_xlsx_uncompressed_mb = 1\n');
    const keys = Array.from({ length: 20_000 }, (_, i) => `K-${i}`);
    const path = await workbook(join(p.dir, 'big.xlsx'), (wb) => orderSheet(wb, 'ORDER LIST', keys));
    const r = await ingest(p, [path]);
    expect(r.code).toBe(ExitCode.config);
    expect(r.stderr).toMatch(/over the 1 MB limit/);
    const roomy = project('\n[ingest]\nmax_xlsx_uncompressed_mb = 50\n');
    const ok = await ingest(roomy, [path]);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('bounds what is really inflated when the entries understate their size', async () => {
    const p = project('\n[ingest]\nmax_xlsx_uncompressed_mb = 1\n');
    // 2,000 distinct 1 KB notes: 2 MB of shared strings (the sheet itself stays small), declared
    // as 1 KB, so the directory's total is under the limit and nothing but the parser reads them.
    const path = await workbook(join(p.dir, 'liar.xlsx'), (wb) => {
      const ws = wb.addWorksheet('ORDER LIST');
      ws.addRow([KEY, 'NOTE']);
      for (let i = 0; i < 2_000; i++) ws.addRow([`K-${i}`, `${i} ${'x'.repeat(1_000)}`]);
    });
    declareSize(path, 'xl/sharedStrings.xml', 1024);
    const r = await ingest(p, [path]);
    expect(r.code, r.stderr).toBe(ExitCode.config);
    expect(r.stderr).toMatch(/liar\.xlsx: xl\/sharedStrings\.xml inflates past the 1 MB limit \(ingest\.max_xlsx_uncompressed_mb\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(p.hasTable()).toBe(false);
    // Under the limit, a directory that lied is still not a workbook to parse.
    const roomy = project();
    const under = await ingest(roomy, [path]);
    expect(under.code, under.stderr).toBe(ExitCode.config);
    expect(under.stderr).toMatch(/liar\.xlsx: not a readable \.xlsx workbook: xl\/sharedStrings\.xml inflates to \d+ bytes, more than the 1024 its zip directory declares/);
    expect(roomy.hasTable()).toBe(false);
  });
});

describe('ingest: columns and encoding', () => {
  const wide = (n: number) => `${[KEY, ...Array.from({ length: n - 1 }, (_, i) => `C${i + 1}`)].join(',')}\nW-1${',x'.repeat(n - 1)}\n`;

  it('names the column count and SQLite\'s limit, with no stack trace', async () => {
    const p = project();
    const path = join(p.dir, 'wide.csv');
    writeFileSync(path, wide(1997));
    const r = await ingest(p, [path]);
    expect(r.code).toBe(ExitCode.config);
    expect(r.stderr).toMatch(/wide\.csv: 1997 columns; a SQLite table holds at most 2000, .* at most 1996/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    writeFileSync(path, wide(1996));
    const ok = await ingest(p, [path]);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it.skipIf(!havePostgres)('names PostgreSQL\'s limit of 1600', async () => {
    const db = await createTestDatabase('postgres');
    try {
      const p = project('\n[env.dev.database]\ndialect = "postgres"\n');
      const path = join(p.dir, 'wide.csv');
      writeFileSync(path, wide(1601));
      const url = (db.target as { url: string }).url;
      const r = await ingest(p, [path], { ORDERSYNC_DATABASE_URL: url });
      expect(r.code).toBe(ExitCode.config);
      expect(r.stderr).toMatch(/wide\.csv: 1601 columns; a PostgreSQL table holds at most 1600/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await db.cleanup();
    }
  });

  it('accepts valid UTF-8 that contains U+FFFD, and still refuses invalid UTF-8 with its line', async () => {
    const p = project();
    const path = join(p.dir, 'replacement.csv');
    writeFileSync(path, `${KEY},CUSTOMER NAME\nR-1,caf\u00e9 \uFFFD ok\nR-2,plain\n`, 'utf8');
    const r = await ingest(p, [path]);
    expect(r.code, r.stderr).toBe(0);
    expect(p.rows().find((x) => x[KEY] === 'R-1')?.['CUSTOMER NAME']).toBe('caf\u00e9 \uFFFD ok');

    const bad = join(p.dir, 'latin1.csv');
    writeFileSync(bad, Buffer.concat([Buffer.from(`${KEY},CUSTOMER NAME\nR-3,ok\nR-4,caf`), Buffer.from([0xe9]), Buffer.from('\n')]));
    const b = await ingest(p, [bad, '--replace']);
    expect(b.code).toBe(ExitCode.config);
    expect(b.stderr).toMatch(/latin1\.csv: line 3: not valid UTF-8/);
  });
});
