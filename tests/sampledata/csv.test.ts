import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { csvField, csvLine, generateStaging, runGen, writeCsv } from '../../src/sampledata/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ordersync-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('csv writer', () => {
  it('quotes only what RFC 4180 needs, and empty strings so they differ from missing values', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(12)).toBe('12');
    expect(csvField('plain text')).toBe('plain text');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('LEGGING 25"')).toBe('"LEGGING 25"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvField('')).toBe('""');
    expect(csvLine(['a', null, 1])).toBe('a,,1\r\n');
  });

  it('round-trips any text through csv-parse', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 3, maxLength: 3 }), { maxLength: 5 }), (rows) => {
        const text = rows.map(csvLine).join('');
        expect(parse(text, { relax_column_count: false })).toEqual(rows);
      }),
    );
  });

  it('writes the same bytes for the same seed, and parses back to the rows', async () => {
    const data = generateStaging({ seed: 8, orders: 400 });
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    const written = await writeCsv(a, data.columns, data.rows);
    await writeCsv(b, generateStaging({ seed: 8, orders: 400 }).columns, generateStaging({ seed: 8, orders: 400 }).rows);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    const parsed: string[][] = parse(readFileSync(a, 'utf8'));
    expect(parsed[0]).toEqual(data.columns.map((c) => c.name));
    expect(parsed).toHaveLength(written.rows + 1);
    const rows = [...data.rows];
    parsed.slice(1).forEach((fields, i) => {
      expect(fields).toEqual(data.columns.map((c) => (rows[i]![c.name] === null ? '' : String(rows[i]![c.name]))));
    });
  });

  it('runGen writes day files and next-day summaries', async () => {
    const out = join(dir, 'gen');
    const files = await runGen({ out, seed: 3, orders: 300, days: 2 });
    expect(files.map((f) => f.path)).toEqual([0, 1, 2].map((d) => join(out, `staging-day${d}.csv`)));
    expect(files[0]!.summary).toBeUndefined();
    const summary = JSON.parse(readFileSync(join(out, 'staging-day2.summary.json'), 'utf8'));
    expect(summary).toEqual(files[2]!.summary);
    expect(files[2]!.rows).toBe(summary.rowsOut);
  });
});
