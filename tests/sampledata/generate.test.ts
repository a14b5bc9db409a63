import { describe, expect, it } from 'vitest';
import { generateStaging, KEY_COLUMN, type StagingRow } from '../../src/sampledata/index.js';

const sizeNames = generateStaging({ seed: 1, orders: 0 }).columns.filter((c) => c.role === 'size').map((c) => c.name);

function sizesOf(row: StagingRow): Map<string, number> {
  return new Map(sizeNames.filter((s) => row[s] !== null).map((s) => [s, row[s] as number]));
}

const isBlank = (row: StagingRow) => Object.values(row).every((v) => v === null);

describe('generateStaging', () => {
  it('is deterministic: same seed, same rows; another seed, other rows', () => {
    const a = JSON.stringify([...generateStaging({ seed: 42, orders: 300 }).rows]);
    const b = JSON.stringify([...generateStaging({ seed: 42, orders: 300 }).rows]);
    const c = JSON.stringify([...generateStaging({ seed: 43, orders: 300 }).rows]);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('is lazy and re-iterable', () => {
    const data = generateStaging({ seed: 1, orders: 1_000_000 });
    const it1 = data.rows[Symbol.iterator]();
    const firstRow = it1.next().value;
    expect(data.rows[Symbol.iterator]().next().value).toEqual(firstRow);
  });

  it('generates clean orders in the real shape when mess is off', () => {
    const { columns, rows } = generateStaging({ seed: 7, orders: 2_000, mess: false });
    const all = [...rows];
    expect(all).toHaveLength(2_000);
    const keys = all.map((r) => r[KEY_COLUMN] as string);
    expect(new Set(keys).size).toBe(2_000);
    for (const row of all) {
      expect(Object.keys(row)).toHaveLength(columns.length);
      expect(row[KEY_COLUMN]).toMatch(/^[A-Z]{3}-\d{5}$/);
      const sizes = sizesOf(row);
      expect(sizes.size).toBeGreaterThan(0);
      expect(row['TOTAL QTY']).toBe([...sizes.values()].reduce((s, q) => s + q, 0));
      expect(row['ORDER TYPE']).toMatch(/^(RECEIVED|FORECAST)$/);
      expect(row['CUSTOMER PRICE']).toMatch(/^\d+\.\d{4}$/);
      expect(row['EX FACTORY DATE']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(row['CUSTOMER SEASON']).not.toBeNull();
    }
    const meanSizes = all.reduce((s, r) => s + sizesOf(r).size, 0) / all.length;
    expect(meanSizes).toBeGreaterThan(3.8);
    expect(meanSizes).toBeLessThan(5.2);
    const coreShare = all.filter((r) => [...sizesOf(r).keys()].every((s) => ['XXS', 'XS', 'S', 'M', 'L', 'XL', 'XXL'].includes(s))).length / all.length;
    expect(coreShare).toBeGreaterThan(0.75);
    expect(new Set(all.flatMap((r) => [...sizesOf(r).keys()])).size).toBeGreaterThan(20);
  });

  it('spreads orders over customers with 1–7 seasons each and real names first', () => {
    const all = [...generateStaging({ seed: 3, orders: 4_000, customers: 20, mess: false }).rows];
    const byCustomer = new Map<string, Set<string>>();
    for (const r of all) {
      const seasons = byCustomer.get(r['CUSTOMER NAME'] as string) ?? new Set();
      seasons.add(r['AAG SEASON'] as string);
      byCustomer.set(r['CUSTOMER NAME'] as string, seasons);
    }
    expect(byCustomer.size).toBe(20);
    expect([...byCustomer.keys()]).toEqual(expect.arrayContaining(['GREYSON', 'PELOTON', 'TITLE NINE', 'BORN PRIMITIVE', 'WHITE FOX', 'SUMMERSALT']));
    for (const seasons of byCustomer.values()) expect(seasons.size).toBeLessThanOrEqual(7);
    const greyson = all.find((r) => r['CUSTOMER NAME'] === 'GREYSON');
    expect(greyson?.[KEY_COLUMN]).toMatch(/^GRE-\d{5}$/);
  });

  it('adds the configured mess at about the configured shares', () => {
    const orders = 20_000;
    const mess = { duplicateShare: 0.02, emptyKeyShare: 0.01, blankRowShare: 0.01, unicodeShare: 0.03, longNotesShare: 0.01, cancelledShare: 0.04 };
    const all = [...generateStaging({ seed: 11, orders, mess }).rows];
    const blank = all.filter(isBlank);
    const real = all.filter((r) => !isBlank(r));
    const keyed = real.filter((r) => r[KEY_COLUMN] !== null);
    const counts = new Map<string, number>();
    for (const r of keyed) counts.set(r[KEY_COLUMN] as string, (counts.get(r[KEY_COLUMN] as string) ?? 0) + 1);
    const duplicated = [...counts.values()].filter((n) => n > 1).length;
    const near = (actual: number, share: number) => expect(Math.abs(actual / orders - share)).toBeLessThan(share * 0.25);

    near(blank.length, mess.blankRowShare);
    near(real.length - keyed.length, mess.emptyKeyShare);
    near(duplicated, mess.duplicateShare);
    near(real.filter((r) => typeof r.NOTES === 'string' && r.NOTES.length > 2_000).length, mess.longNotesShare);
    near(real.filter((r) => typeof r.NOTES === 'string' && /[^\x20-\x7e]/.test(r.NOTES) && r.NOTES.length <= 2_000).length, mess.unicodeShare);
    const cancelled = real.filter((r) => /^cancel/i.test(r['ORDER TYPE'] as string));
    near(cancelled.length, mess.cancelledShare * (1 + mess.duplicateShare));
    expect(new Set(cancelled.map((r) => r['ORDER TYPE']))).toEqual(new Set(['CANCELLED', 'Cancelled']));

    for (const [key, n] of counts) {
      if (n < 2) continue;
      const copies = keyed.filter((r) => r[KEY_COLUMN] === key);
      expect(copies[0]!['TOTAL QTY']).not.toBe(copies[1]!['TOTAL QTY']);
      expect(copies[0]!.record_uuid).not.toBe(copies[1]!.record_uuid);
      break;
    }
    const peloton = real.filter((r) => r['CUSTOMER NAME'] === 'PELOTON');
    expect(peloton.length).toBeGreaterThan(0);
    expect(peloton.every((r) => r['CUSTOMER SEASON'] === null && r['AAG SEASON'] !== null)).toBe(true);
  });

  it('leaves the underlying orders alone when only the mess changes', () => {
    const clean = [...generateStaging({ seed: 5, orders: 200, mess: false }).rows];
    const messy = [...generateStaging({ seed: 5, orders: 200, mess: { duplicateShare: 0.1 } }).rows].filter((r) => !isBlank(r));
    const first = new Map<string, StagingRow>();
    for (const r of messy) if (r[KEY_COLUMN] && !first.has(r[KEY_COLUMN] as string)) first.set(r[KEY_COLUMN] as string, r);
    const same = clean.filter((r) => {
      const m = first.get(r[KEY_COLUMN] as string);
      return m?.['CUSTOMER STYLE'] === r['CUSTOMER STYLE'] && m?.['TOTAL QTY'] === r['TOTAL QTY'] && m?.['EX FACTORY DATE'] === r['EX FACTORY DATE'];
    });
    expect(same.length).toBeGreaterThanOrEqual(195);
  });

  it('rejects nonsense options', () => {
    expect(() => generateStaging({ seed: 1, orders: -1 })).toThrow(/orders/);
    expect(() => generateStaging({ seed: 1, orders: 10, customers: 0 })).toThrow(/customers/);
    expect(() => generateStaging({ seed: 1, orders: 10, mess: { duplicateShare: 2 } })).toThrow(/duplicateShare/);
  });
});
