import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { ingestFile } from '../../src/ingest/index.js';
import { generateStaging, type StagingRow } from '../../src/sampledata/index.js';
import { tableName, testEngines, type Engine } from './support/engines.js';

const engines = await testEngines();
const dir = mkdtempSync(join(tmpdir(), 'ordersync-xlsx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const data = generateStaging({ seed: 23, orders: 60, mess: { blankRowShare: 0.05 } });
const names = data.columns.map((c) => c.name);
const dateColumns = new Set(data.columns.filter((c) => c.type === 'date').map((c) => c.name));
const generated = [...data.rows].filter((r) => !Object.values(r).every((v) => v === null));

/** A customer workbook as Excel writes it: real dates and numbers in cells, a title-less first sheet. */
async function writeWorkbook(path: string, rows: StagingRow[]): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true, useStyles: true });
  const sheet = workbook.addWorksheet('ORDER LIST');
  sheet.addRow(names).commit();
  rows.forEach((row, i) => {
    if (i === 3) sheet.addRow([]).commit();
    const cells = names.map((n) => {
      const v = row[n];
      if (v !== null && dateColumns.has(n)) return new Date(`${v}T00:00:00Z`);
      return v;
    });
    const added = sheet.addRow(cells);
    for (const n of dateColumns) added.getCell(names.indexOf(n) + 1).numFmt = 'yyyy-mm-dd';
    added.commit();
  });
  await workbook.commit();
}

const canonical = (rows: ReadonlyArray<Record<string, unknown>>) =>
  rows.map((r) => JSON.stringify(names.map((c) => (r[c] === null || r[c] === undefined ? null : String(r[c]))))).sort();

describe.each(engines)('ingestFile (.xlsx) on $name', (factory) => {
  let engine: Engine | undefined;
  afterEach(async () => engine?.close());

  it('loads the first worksheet as text, dates as YYYY-MM-DD', async () => {
    engine = await factory.open();
    const path = join(dir, `orders-${factory.name}.xlsx`);
    await writeWorkbook(path, generated);
    const table = tableName();
    const report = await ingestFile(engine.db, { path, table, dialect: engine.dialect, batchSize: 25 });
    expect(report).toMatchObject({ format: 'xlsx', created: true, rowsLoaded: generated.length });
    const loaded = await engine.db.selectFrom(table).selectAll().execute();
    expect(canonical(loaded)).toEqual(canonical(generated));
  });

  it('rejects cells beyond the header, with the sheet row number', async () => {
    engine = await factory.open();
    const path = join(dir, `wide-${factory.name}.xlsx`);
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('S');
    sheet.addRows([['AAG ORDER NUMBER', 'XS'], ['GRE-1', 3], ['GRE-2', 4, 'stray'], ['GRE-3', { formula: '1+1', result: 2 }]]);
    await workbook.xlsx.writeFile(path);
    const table = tableName();
    const report = await ingestFile(engine.db, { path, table, dialect: engine.dialect });
    expect(report.rejected).toEqual([{ file: basename(path), row: 3, line: 3, reason: 'values beyond the last header column (3 cells, the header has 2)' }]);
    const rows = await engine.db.selectFrom(table).select(['AAG ORDER NUMBER', 'XS', 'ordersync_source_row']).execute();
    expect(rows.sort((x, y) => String(x['AAG ORDER NUMBER']).localeCompare(String(y['AAG ORDER NUMBER'])))).toEqual([
      { 'AAG ORDER NUMBER': 'GRE-1', XS: '3', ordersync_source_row: 2 },
      { 'AAG ORDER NUMBER': 'GRE-3', XS: '2', ordersync_source_row: 4 },
    ]);
  });

  it('names the file when it is not a workbook', async () => {
    engine = await factory.open();
    const path = join(dir, 'fake.xlsx');
    writeFileSync(path, 'just text, not a zip');
    const attempt = ingestFile(engine.db, { path, table: tableName(), dialect: engine.dialect });
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(/fake\.xlsx: not a readable \.xlsx workbook/);
  });
});
