import { describe, expect, it } from 'vitest';
import { FIRST_MARKER, LAST_MARKER, stagingColumns } from '../../src/sampledata/index.js';

describe('stagingColumns', () => {
  const columns = stagingColumns();
  const names = columns.map((c) => c.name);
  const first = names.indexOf(FIRST_MARKER);
  const last = names.indexOf(LAST_MARKER);

  it('puts 245 integer size columns strictly between the two markers', () => {
    const between = columns.slice(first + 1, last);
    expect(between).toHaveLength(245);
    expect(between.every((c) => c.role === 'size' && c.type === 'integer')).toBe(true);
    expect(columns.filter((c) => c.role === 'size')).toHaveLength(245);
    expect(between.map((c) => c.name)).toEqual(expect.arrayContaining(['2T', 'XS', 'S', 'M', 'L', 'XL', '30/32', 'ONE SIZE', 'O/S', '32DD']));
  });

  it('has ~170 business columns in the real order, record_uuid first', () => {
    const business = columns.filter((c) => c.role !== 'size' && c.name !== 'record_uuid');
    expect(business.length).toBeGreaterThanOrEqual(160);
    expect(business.length).toBeLessThanOrEqual(175);
    expect(names[0]).toBe('record_uuid');
    expect(names[1]).toBe('AAG ORDER NUMBER');
    expect(columns[first]).toEqual({ name: FIRST_MARKER, type: 'text', role: 'marker' });
    expect(columns[last]).toEqual({ name: LAST_MARKER, type: 'integer', role: 'marker' });
    expect(names.slice(last + 1, last + 3)).toEqual(['DESTINATION', 'DESTINATION WAREHOUSE']);
    expect(names.at(-1)).toBe('_SOURCE_TABLE');
  });

  it('keeps the awkward real names: spaces, slashes, quotes, parentheses, ∆', () => {
    for (const name of [
      "CUSTOMER'S COLOUR CODE (CUSTOM FIELD) CUSTOMER PROVIDES THIS",
      'PROMO GROUP / CAMPAIGN (HOT 30/GLOBAL EDIT)',
      'RANGE / COLLECTION',
      '∆',
      'RMB price (ex. VAT)',
      'COUNTRY OF ORIGN',
    ]) {
      expect(names).toContain(name);
    }
  });

  it('types dates, decimals and integers as the DDL does', () => {
    const type = (n: string) => columns.find((c) => c.name === n)?.type;
    expect(['ORDER DATE PO RECEIVED', 'ETA CUSTOMER WAREHOUSE DATE', 'EX FACTORY DATE'].map(type)).toEqual(['date', 'date', 'date']);
    expect(['CUSTOMER PRICE', 'FINAL FOB (USD)', 'US DUTY RATE', 'FREIGHT'].map(type)).toEqual(['decimal', 'decimal', 'decimal', 'decimal']);
    expect(type('TOTAL QTY')).toBe('integer');
    expect(type('NOTES')).toBe('text');
  });

  it('has no two names a case-insensitive engine (SQLite) would confuse', () => {
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
  });

  it('returns a copy callers may change', () => {
    columns[0]!.name = 'changed';
    expect(stagingColumns()[0]!.name).toBe('record_uuid');
  });
});
