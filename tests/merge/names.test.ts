import { describe, expect, it } from 'vitest';
import { settingsSchema } from '../../src/config/schema.js';
import { itemName } from '../../src/merge/names.js';
import { applyColumnRule } from '../../src/merge/transforms.js';
import { cutToCodePoints } from '../../src/text.js';

const rule = (item_name: Record<string, unknown>) => settingsSchema.parse({ mapping: { item_name } }).mapping.item_name;
const row = (values: Record<string, string | null>) => (c: string) => values[c] ?? null;

describe('item names', () => {
  it('parts join the non-empty values; whitespace collapses; empty falls back to the fallback, else the key', () => {
    const parts = rule({ parts: ['STYLE', 'COLOUR', 'NO'] });
    expect(itemName(parts, row({ STYLE: 'TEE', COLOUR: ' NAVY\n\n  BLUE ', NO: 'A-1' }), 'A-1')).toEqual({ ok: true, name: 'TEE NAVY BLUE A-1' });
    expect(itemName(parts, row({ COLOUR: 'NAVY', NO: 'A-1' }), 'A-1')).toEqual({ ok: true, name: 'NAVY A-1' });
    expect(itemName(rule({ parts: ['STYLE'] }), row({ STYLE: ' \t ' }), 'A-1')).toEqual({ ok: true, name: 'A-1' });
    expect(itemName(rule({ parts: ['STYLE'], fallback: 'ORDER' }), row({}), 'A-1')).toEqual({ ok: true, name: 'ORDER' });
    expect(itemName(rule({ columns: [['STYLE', 'NO']], fallback: 'ORDER' }), row({ NO: 'A-1' }), 'A-1')).toEqual({ ok: true, name: 'ORDER' });
  });

  it('over 255 code points: cut at a whole character and reported, or refused under overflow = "fail"', () => {
    const long = `${'x'.repeat(254)}e\u0301${'y'.repeat(50)}`;
    const cut = itemName(rule({ parts: ['STYLE'] }), row({ STYLE: long }), 'A-1');
    expect(cut).toEqual({ ok: true, name: 'x'.repeat(254), cutFrom: 306 });
    const failed = itemName(rule({ parts: ['STYLE'], overflow: 'fail' }), row({ STYLE: long }), 'A-1');
    expect(failed).toEqual({ ok: false, reason: expect.stringContaining('306 characters, monday allows 255') });
  });

  it('parts and columns are exclusive; an @ source must be a known derived value', () => {
    expect(() => rule({ parts: ['A'], columns: [['A']] })).toThrow(/either parts or columns/);
    expect(() => settingsSchema.parse({ mapping: { columns: { '@totl_qty': 'numbers_1' } } })).toThrow(/@total_qty, @line_count, @state, @synced_at/);
  });
});

describe('cutting text', () => {
  it('never splits a surrogate pair, a combining sequence or a ZWJ emoji', () => {
    expect(cutToCodePoints('ab\u{1F600}', 3)).toEqual({ text: 'ab\u{1F600}', cut: false });
    expect(cutToCodePoints('abc\u{1F600}', 3)).toEqual({ text: 'abc', cut: true });
    expect(cutToCodePoints('ae\u0301b', 2)).toEqual({ text: 'a', cut: true });
    expect(cutToCodePoints('a\u{1F468}\u200D\u{1F469}\u200D\u{1F467}b', 4)).toEqual({ text: 'a', cut: true });
  });
});

describe('column transforms', () => {
  const transforms = settingsSchema.parse({
    mapping: { transforms: { T: { transform: ['trim', 'collapse_space', 'upper'], values: { ACTIVE: 'RECEIVED', TBC: '' } } } },
  }).mapping.transforms;
  it('apply the steps in order, then the value map; a value mapped to "" clears', () => {
    expect(applyColumnRule(transforms.T, ' active ')).toBe('RECEIVED');
    expect(applyColumnRule(transforms.T, 'navy   blue')).toBe('NAVY BLUE');
    expect(applyColumnRule(transforms.T, 'tbc')).toBeNull();
    expect(applyColumnRule(transforms.T, 12)).toBe(12);
    expect(applyColumnRule(undefined, 'as is')).toBe('as is');
  });
});
