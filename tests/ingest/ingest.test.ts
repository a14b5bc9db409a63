import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { ingestFile } from '../../src/ingest/index.js';
import { SOURCE_COLUMNS, sourceColumnNames } from '../../src/ingest/source-columns.js';
import { csvLine, generateStaging, loadStaging, writeCsv, type StagingRow } from '../../src/sampledata/index.js';
import { tableName, testEngines, type Engine } from './support/engines.js';

const engines = await testEngines();
const dir = mkdtempSync(join(tmpdir(), 'ordersync-ingest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const data = generateStaging({ seed: 17, orders: 150, mess: { blankRowShare: 0.03, emptyKeyShare: 0.02 } });
const generated = [...data.rows];
const names = data.columns.map((c) => c.name);
const isBlank = (r: StagingRow) => Object.values(r).every((v) => v === null);
const csvPath = join(dir, 'order list.csv');
await writeCsv(csvPath, data.columns, generated);

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Rows as sorted JSON, every value as the text a file carries: an all-text table has no row order. */
function canonical(rows: ReadonlyArray<Record<string, unknown>>, columns: readonly string[]): string[] {
  return rows.map((r) => JSON.stringify(columns.map((c) => (r[c] === null || r[c] === undefined ? null : String(r[c]))))).sort();
}

async function count(engine: Engine, table: string): Promise<number> {
  const r = await engine.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

describe.each(engines)('ingestFile on $name', (factory) => {
  let engine: Engine | undefined;
  afterEach(async () => engine?.close());

  it('round-trips a generated CSV: table created in file order, blank rows skipped and counted', async () => {
    engine = await factory.open();
    const table = tableName();
    const report = await ingestFile(engine.db, { path: csvPath, table, dialect: engine.dialect, batchSize: 50 });

    const blankRows = generated.flatMap((r, i) => (isBlank(r) ? [i + 2] : []));
    expect(blankRows.length).toBeGreaterThan(0);
    expect(report).toMatchObject({ created: true, replaced: false, format: 'csv', rowsRead: generated.length });
    expect(report.rowsLoaded).toBe(generated.length - blankRows.length);
    expect(report.rowsBlank).toBe(blankRows.length);
    expect(report.rowsRejected).toBe(0);
    expect(report.rejected).toEqual([]);
    expect(report.rejectedByReason).toEqual({});

    const meta = (await engine.db.introspection.getTables()).find((t) => t.name === table)!;
    expect(meta.columns.map((c) => c.name)).toEqual([...names, ...sourceColumnNames]);
    expect(new Set(meta.columns.filter((c) => names.includes(c.name)).map((c) => c.dataType.toLowerCase()))).toEqual(new Set(['text']));
    const loaded = await engine.db.selectFrom(table).selectAll().execute();
    expect(canonical(loaded, names)).toEqual(canonical(generated.filter((r) => !isBlank(r)), names));
  });

  it('appends by default and replaces in the same transaction with replace', async () => {
    engine = await factory.open();
    const table = tableName();
    const opts = { path: csvPath, table, dialect: engine.dialect };
    const first = await ingestFile(engine.db, opts);
    const second = await ingestFile(engine.db, opts);
    expect(second).toMatchObject({ created: false, replaced: false });
    expect(await count(engine, table)).toBe(first.rowsLoaded * 2);
    const third = await ingestFile(engine.db, { ...opts, replace: true });
    expect(third).toMatchObject({ created: false, replaced: true });
    expect(await count(engine, table)).toBe(first.rowsLoaded);
  });

  it('skips blank rows and rejects wrong field counts with their row and line numbers', async () => {
    engine = await factory.open();
    const table = tableName();
    const path = file('rejects.csv', [
      'AAG ORDER NUMBER,NOTES,XS',
      'GRE-00001,"two\nlines",4',
      ',,',
      'GRE-00002,too,many,fields',
      '',
      'GRE-00003,short',
      'GRE-00004,,7',
      '',
    ].join('\n'));
    const report = await ingestFile(engine.db, { path, table, dialect: engine.dialect });
    expect(report.rowsRead).toBe(6);
    expect(report.rowsLoaded).toBe(2);
    expect(report.rowsBlank).toBe(2);
    expect(report.rejected).toEqual([
      { file: 'rejects.csv', row: 4, line: 5, reason: '4 fields, the header has 3' },
      { file: 'rejects.csv', row: 6, line: 7, reason: '2 fields, the header has 3' },
    ]);
    expect(report.rejectedByReason).toEqual({ 'N fields, the header has N': 2 });
    const rows = await engine.db.selectFrom(table).selectAll().orderBy(SOURCE_COLUMNS.seq).execute();
    // Each row carries the file, its row and the line it starts on, as ingest reported them.
    expect(rows.map((r) => [r[SOURCE_COLUMNS.file], Number(r[SOURCE_COLUMNS.row]), Number(r[SOURCE_COLUMNS.line]), Number(r[SOURCE_COLUMNS.seq])])).toEqual([
      ['rejects.csv', 2, 2, 1],
      ['rejects.csv', 7, 8, 2],
    ]);
    expect(canonical(rows, ['AAG ORDER NUMBER', 'NOTES', 'XS'])).toEqual(
      canonical([{ 'AAG ORDER NUMBER': 'GRE-00001', NOTES: 'two\nlines', XS: '4' }, { 'AAG ORDER NUMBER': 'GRE-00004', NOTES: null, XS: '7' }], ['AAG ORDER NUMBER', 'NOTES', 'XS']),
    );
  });

  it('refuses duplicate or empty header names, naming them, and creates nothing', async () => {
    engine = await factory.open();
    const table = tableName();
    const path = file('bad-header.csv', 'AAG ORDER NUMBER,XS,,XS,NOTES,NOTES\n1,2,3,4,5,6\n');
    const attempt = ingestFile(engine.db, { path, table, dialect: engine.dialect });
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(/bad-header\.csv: header row: column 3 has no name; repeated column names: "XS", "NOTES"/);
    expect((await engine.db.introspection.getTables()).some((t) => t.name === table)).toBe(false);
  });

  it('matches an existing typed table by name and reports columns that do not match', async () => {
    engine = await factory.open();
    const table = tableName();
    const columns = [
      { name: 'AAG ORDER NUMBER', type: 'text' as const },
      { name: 'XS', type: 'integer' as const },
      { name: 'EX FACTORY DATE', type: 'date' as const },
      { name: 'CUSTOMER PRICE', type: 'decimal' as const },
    ];
    await loadStaging(engine.db, table, columns, [], { dialect: engine.dialect });
    const reordered = file('reordered.csv', 'CUSTOMER PRICE,EX FACTORY DATE,XS,AAG ORDER NUMBER\n12.5000,2026-03-01,40,GRE-1\n,,,GRE-2\n');
    const report = await ingestFile(engine.db, { path: reordered, table, dialect: engine.dialect });
    expect(report).toMatchObject({ created: false, rowsLoaded: 2 });
    const row = await engine.db.selectFrom(table).selectAll().where('AAG ORDER NUMBER', '=', 'GRE-1').executeTakeFirstOrThrow();
    expect(Number(row.XS)).toBe(40);
    expect(Number(row['CUSTOMER PRICE'])).toBe(12.5);

    const odd = file('odd.csv', 'AAG ORDER NUMBER,XS,SIZE 99\nGRE-3,1,2\n');
    await expect(ingestFile(engine.db, { path: odd, table, dialect: engine.dialect })).rejects.toThrow(
      `${odd}: file columns not in table "${table}": "SIZE 99"; table columns missing from the file: "EX FACTORY DATE", "CUSTOMER PRICE"`,
    );
    const partial = file('partial.csv', 'AAG ORDER NUMBER,XS\nGRE-3,1\n');
    await expect(ingestFile(engine.db, { path: partial, table, dialect: engine.dialect })).rejects.toThrow(/missing from the file/);
    const loaded = await ingestFile(engine.db, { path: partial, table, dialect: engine.dialect, allowMissingColumns: true });
    expect(loaded.rowsLoaded).toBe(1);
    expect(await count(engine, table)).toBe(3);
  });

  it('leaves the table as it was when the file turns out malformed part-way', async () => {
    engine = await factory.open();
    const table = tableName();
    const good = file('good.csv', 'A,B\n1,2\n');
    await ingestFile(engine.db, { path: good, table, dialect: engine.dialect });
    const lines = ['A,B', ...Array.from({ length: 3_000 }, (_, i) => csvLine([i, 'x']).trimEnd()), '9,"never closed', '10,11'];
    const broken = file('broken.csv', lines.join('\n'));
    const attempt = ingestFile(engine.db, { path: broken, table, dialect: engine.dialect, batchSize: 10, replace: true });
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(new RegExp(`broken\\.csv: line \\d+: malformed CSV: Quote Not Closed`));
    expect(await count(engine, table)).toBe(1);
  });

  it('names the file and line for binary junk, and the file for a bad extension or missing file', async () => {
    engine = await factory.open();
    const table = tableName();
    const junk = join(dir, 'junk.csv');
    writeFileSync(junk, Buffer.concat([Buffer.from('A,B\n1,2\n'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0xff, 0x0a])]));
    await expect(ingestFile(engine.db, { path: junk, table, dialect: engine.dialect })).rejects.toThrow(`${junk}: line 3: binary content`);
    await expect(ingestFile(engine.db, { path: join(dir, 'x.txt'), table, dialect: engine.dialect })).rejects.toThrow(/x\.txt: unsupported file type/);
    await expect(ingestFile(engine.db, { path: join(dir, 'nope.csv'), table, dialect: engine.dialect })).rejects.toThrow(/nope\.csv: no such file/);
    await expect(ingestFile(engine.db, { path: file('empty.csv', ''), table, dialect: engine.dialect })).rejects.toThrow(/empty\.csv: empty file/);
    expect((await engine.db.introspection.getTables()).some((t) => t.name === table)).toBe(false);
  });
});
