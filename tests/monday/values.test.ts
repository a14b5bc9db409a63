import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BoardSnapshot, SnapshotColumn } from '../../src/monday/board-schema.js';
import {
  FormatError,
  LONG_TEXT_MAX,
  READ_ONLY_TYPES,
  TRUNCATION_NOTE,
  formatColumnValues,
  formatValue,
  missingLabels,
  plainNumber,
} from '../../src/monday/values.js';
import cms from '../../src/emulator/fixtures/customer-master-schedule.json' with { type: 'json' };

const col = (id: string, type: string, title = id.toUpperCase(), labels?: [number, string][]): SnapshotColumn => ({
  id,
  title,
  type,
  ...(labels ? { settings: { labels: labels.map(([i, label]) => ({ id: i, label })) } } : {}),
});

const COLUMNS = {
  name: col('name', 'name', 'Name'),
  orderNo: col('text_mkr5wya6', 'text', 'AAG ORDER NUMBER'),
  notes: col('long_text_mkr5hass', 'long_text', 'NOTES'),
  price: col('numeric_mkr5cact', 'numbers', 'CUSTOMER PRICE'),
  exFactory: col('date_mkr57811', 'date', 'CUSTOMER EX FACTORY DATE'),
  uom: col('color_mkr5yf27', 'status', 'UNIT OF MEASURE', [
    [0, 'EACH'],
    [1, 'PACK'],
    [7, '2023'],
  ]),
  orderType: col('dropdown_mkr518fc', 'dropdown', 'ORDER TYPE', [
    [1, 'RECEIVED'],
    [2, 'FORECAST'],
    [3, 'CANCELLED'],
  ]),
  urgent: col('boolean_mkr5x', 'checkbox', 'URGENT'),
  link: col('link_mkr5q', 'link', 'TECH PACK'),
  qtyOrdered: col('lookup_mkrbrdr1', 'mirror', 'QTY ORDERED'),
  people: col('person', 'people', 'Owner'),
};

const snapshot: BoardSnapshot = {
  board_id: '9609317401',
  name: 'Customer Master Schedule',
  fetched_at: '2026-11-29T12:00:00.000Z',
  api_version: '2026-10',
  columns: Object.values(COLUMNS),
  groups: [{ id: 'topics', title: 'Group Title' }],
};

const value = (c: SnapshotColumn, v: unknown) => {
  const r = formatValue(c, v);
  if (!r.ok) throw r.error;
  return r.value;
};
const error = (c: SnapshotColumn, v: unknown) => {
  const r = formatValue(c, v);
  if (r.ok) throw new Error(`expected a FormatError, got ${JSON.stringify(r.value)}`);
  return r.error;
};

describe('formatValue per column type', () => {
  it('text: trimmed string; numbers without exponent; blank clears', () => {
    expect(value(COLUMNS.orderNo, '  SO-123 ')).toBe('SO-123');
    expect(value(COLUMNS.orderNo, 4501234)).toBe('4501234');
    expect(value(COLUMNS.orderNo, '   ')).toBeNull();
    expect(value(COLUMNS.orderNo, null)).toBeNull();
    expect(error(COLUMNS.orderNo, { a: 1 }).reason).toMatch(/expected text/);
  });

  it('long_text: {text}, cut to its first 2000 characters, adding nothing unless told to', () => {
    expect(value(COLUMNS.notes, 'line1\nline2')).toEqual({ text: 'line1\nline2' });
    const text = 'abcdefghij'.repeat(500);
    expect(value(COLUMNS.notes, text)).toEqual({ text: text.slice(0, LONG_TEXT_MAX) });
    const noted = formatValue(COLUMNS.notes, text, { longTextOverflow: 'cut_with_note' });
    const notedText = (noted.ok ? noted.value : null) as { text: string };
    expect([...notedText.text]).toHaveLength(LONG_TEXT_MAX);
    expect(notedText.text.endsWith(TRUNCATION_NOTE)).toBe(true);
    const refused = formatValue(COLUMNS.notes, text, { longTextOverflow: 'fail' });
    expect(refused.ok ? '' : refused.error.reason).toMatch(/5000 characters, monday keeps 2000/);
    // a surrogate pair straddling the cut is not split
    const emoji = value(COLUMNS.notes, '😀'.repeat(2500)) as { text: string };
    expect([...emoji.text]).toHaveLength(LONG_TEXT_MAX);
    expect(emoji.text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    // nor a letter from its combining accent
    const accents = value(COLUMNS.notes, `${'x'.repeat(1999)}e\u0301zzz`) as { text: string };
    expect(accents.text).toBe('x'.repeat(1999));
    expect(value(COLUMNS.notes, ' \n ')).toBeNull();
  });

  it('numbers: a string per api-notes, normalised, never "12.3400"; null clears (never "", which sets 0)', () => {
    expect(value(COLUMNS.price, 12.34)).toBe('12.34');
    expect(value(COLUMNS.price, '12.3400')).toBe('12.34');
    expect(value(COLUMNS.price, ' -7 ')).toBe('-7');
    expect(value(COLUMNS.price, 1e21)).toBe('1000000000000000000000');
    expect(value(COLUMNS.price, 1.5e-7)).toBe('0.00000015');
    expect(value(COLUMNS.price, 12345678901234567890n)).toBe('12345678901234567890');
    expect(value(COLUMNS.price, '')).toBeNull();
    expect(value(COLUMNS.price, null)).toBeNull();
  });

  it('numbers: rejects non-numeric values with the column and the value in the message', () => {
    const e = error(COLUMNS.price, 'USD 12,50');
    expect(e).toBeInstanceOf(FormatError);
    expect(e).toMatchObject({ columnId: 'numeric_mkr5cact', title: 'CUSTOMER PRICE', type: 'numbers', value: 'USD 12,50' });
    expect(e.message).toContain('CUSTOMER PRICE');
    expect(e.message).toContain('"USD 12,50"');
    expect(error(COLUMNS.price, Number.NaN).reason).toMatch(/finite/);
    expect(error(COLUMNS.price, '1,234.5').reason).toMatch(/not a number/);
    expect(error(COLUMNS.price, true).reason).toMatch(/not a number/);
  });

  it('date: {date: YYYY-MM-DD} from Date objects, ISO strings and SQL datetime text', () => {
    expect(value(COLUMNS.exFactory, '2025-07-21')).toEqual({ date: '2025-07-21' });
    expect(value(COLUMNS.exFactory, '2025-07-21 00:00:00')).toEqual({ date: '2025-07-21' });
    expect(value(COLUMNS.exFactory, '2025-07-21 13:45:10.123')).toEqual({ date: '2025-07-21' });
    expect(value(COLUMNS.exFactory, '2025-07-21T23:30:00-05:00')).toEqual({ date: '2025-07-22' });
    expect(value(COLUMNS.exFactory, '2025-07-21T10:00:00Z')).toEqual({ date: '2025-07-21' });
    expect(value(COLUMNS.exFactory, new Date(Date.UTC(2025, 6, 21)))).toEqual({ date: '2025-07-21' });
    expect(value(COLUMNS.exFactory, new Date(2025, 6, 21))).toEqual({ date: '2025-07-21' }); // a driver's local-midnight DATE
    expect(value(COLUMNS.exFactory, '')).toBeNull();
  });

  it('date: rejects unparsable and impossible dates', () => {
    expect(error(COLUMNS.exFactory, '21/07/2025').reason).toMatch(/not a date/);
    expect(error(COLUMNS.exFactory, '2025-02-30').reason).toMatch(/no such calendar day/);
    expect(error(COLUMNS.exFactory, new Date('nope')).reason).toMatch(/invalid date/);
    expect(error(COLUMNS.exFactory, 45_000).reason).toMatch(/expected a date/);
  });

  it('status: {label}, using the board spelling; numeric labels go by id', () => {
    expect(value(COLUMNS.uom, 'EACH')).toEqual({ label: 'EACH' });
    expect(value(COLUMNS.uom, 'each')).toEqual({ label: 'EACH' });
    expect(value(COLUMNS.uom, 'DOZEN')).toEqual({ label: 'DOZEN' });
    expect(value(COLUMNS.uom, 2023)).toEqual({ index: 7 });
    expect(error(COLUMNS.uom, '2024').reason).toMatch(/label index/);
    expect(value(COLUMNS.uom, '')).toBeNull();
  });

  it('dropdown: {labels: [...]}, deduplicated, board spelling kept; empty clears', () => {
    expect(value(COLUMNS.orderType, 'Cancelled')).toEqual({ labels: ['CANCELLED'] });
    expect(value(COLUMNS.orderType, ['RECEIVED', ' received ', 'NEW'])).toEqual({ labels: ['RECEIVED', 'NEW'] });
    expect(value(COLUMNS.orderType, [])).toBeNull();
    expect(value(COLUMNS.orderType, ' ')).toBeNull();
    expect(error(COLUMNS.orderType, [{}]).reason).toMatch(/expected a label/);
  });

  it('checkbox: {checked:"true"} or null to uncheck', () => {
    for (const t of [true, 'yes', 'Y', '1', 1, 'x']) expect(value(COLUMNS.urgent, t)).toEqual({ checked: 'true' });
    for (const f of [false, 'no', '0', 0, '', null]) expect(value(COLUMNS.urgent, f)).toBeNull();
    expect(error(COLUMNS.urgent, 'maybe').reason).toMatch(/yes\/no/);
  });

  it('link: {url, text}, http(s) only', () => {
    expect(value(COLUMNS.link, 'https://plm.example.com/tp/1')).toEqual({ url: 'https://plm.example.com/tp/1', text: 'https://plm.example.com/tp/1' });
    expect(value(COLUMNS.link, { url: 'http://x.y', text: 'Tech pack' })).toEqual({ url: 'http://x.y', text: 'Tech pack' });
    expect(error(COLUMNS.link, 'plm.example.com').reason).toMatch(/http/);
  });

  it('name: 1–255 characters, never cleared', () => {
    expect(value(COLUMNS.name, ' SO-1 ')).toBe('SO-1');
    expect(error(COLUMNS.name, '').reason).toMatch(/empty/);
    expect(error(COLUMNS.name, null).reason).toMatch(/empty/);
    expect(error(COLUMNS.name, 'n'.repeat(256)).reason).toMatch(/255/);
  });

  it('refuses read-only and unsupported column types', () => {
    expect(error(COLUMNS.qtyOrdered, 5).reason).toBe('mirror columns are read-only');
    for (const type of ['formula', 'item_id', 'last_updated', 'subtasks', 'board_relation']) {
      expect(error(col('x', type), 'v').reason).toMatch(/read-only/);
    }
    expect(error(COLUMNS.people, '123').reason).toMatch(/does not write people/);
  });
});

describe('formatColumnValues', () => {
  it('formats a row, or lists every problem so only that row fails', () => {
    expect(formatColumnValues(snapshot, { text_mkr5wya6: 'SO-1', numeric_mkr5cact: 3 })).toEqual({
      ok: true,
      values: { text_mkr5wya6: 'SO-1', numeric_mkr5cact: '3' },
    });
    const bad = formatColumnValues(snapshot, { numeric_mkr5cact: 'abc', text_gone: 'x', lookup_mkrbrdr1: 1 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.errors.map((e) => e.columnId)).toEqual(['numeric_mkr5cact', 'text_gone', 'lookup_mkrbrdr1']);
      expect(bad.errors[1]!.reason).toMatch(/no such column on board 9609317401/);
    }
  });
});

describe('missingLabels', () => {
  it('names the status and dropdown labels the board does not have', () => {
    const row = formatColumnValues(snapshot, {
      color_mkr5yf27: 'DOZEN',
      dropdown_mkr518fc: ['received', 'SAMPLE'],
      text_mkr5wya6: 'SO-1',
    });
    expect(row.ok).toBe(true);
    if (row.ok) {
      expect(missingLabels(snapshot, row.values)).toEqual([
        { columnId: 'color_mkr5yf27', title: 'UNIT OF MEASURE', type: 'status', label: 'DOZEN' },
        { columnId: 'dropdown_mkr518fc', title: 'ORDER TYPE', type: 'dropdown', label: 'SAMPLE' },
      ]);
    }
    expect(missingLabels(snapshot, { color_mkr5yf27: { index: 7 }, dropdown_mkr518fc: null })).toEqual([]);
  });
});

describe('properties', () => {
  it('any finite number round-trips through a numbers column', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        const s = value(COLUMNS.price, n) as string;
        expect(s).toMatch(/^-?\d+(\.\d+)?$/);
        expect(Number(s)).toBe(n === 0 ? 0 : n);
        expect(plainNumber(n)).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });

  it('any numeric string round-trips to the same number', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        expect(Number(value(COLUMNS.price, String(n)))).toBe(n === 0 ? 0 : n);
      }),
    );
  });

  it('any non-blank long text up to the cap is preserved exactly', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: LONG_TEXT_MAX }), (s) => {
        fc.pre(s.trim() !== '' && [...s].length <= LONG_TEXT_MAX);
        expect(value(COLUMNS.notes, s)).toEqual({ text: s });
      }),
    );
  });

  it('any long text is at most the cap once formatted', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 6000 }), (s) => {
        fc.pre(s.trim() !== '');
        const out = value(COLUMNS.notes, s) as { text: string };
        expect([...out.text].length).toBeLessThanOrEqual(LONG_TEXT_MAX);
      }),
    );
  });

  it('any valid calendar date survives as the same day', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01'), max: new Date('2199-12-31'), noInvalidDate: true }), (d) => {
        const day = d.toISOString().slice(0, 10);
        expect(value(COLUMNS.exFactory, day)).toEqual({ date: day });
        expect(value(COLUMNS.exFactory, `${day} 00:00:00`)).toEqual({ date: day });
      }),
    );
  });
});

/** The emulator's seed boards carry the prior system's two real board layouts, column for column. */
describe('real prior board layouts', () => {
  it('every column type is either written per type or refused as read-only', () => {
    expect(cms.boards.map((b) => b.columns.length)).toEqual([85, 11]);
    for (const board of cms.boards) {
      for (const { id, title, type } of board.columns) {
        const c = { id, title, type };
        const r = formatValue({ ...c }, 'x');
        if (READ_ONLY_TYPES.has(c.type)) expect(r.ok, `${c.id} ${c.type}`).toBe(false);
        else expect(['text', 'long_text', 'numbers', 'date', 'status', 'dropdown', 'checkbox', 'link', 'name', 'people']).toContain(c.type);
      }
    }
  });
});
