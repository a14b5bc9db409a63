import { codePointLength, cutToCodePoints } from '../text.js';
import type { BoardSnapshot, SnapshotColumn, SnapshotLabel } from './board-schema.js';

/**
 * Source values → monday `column_values` entries, per column type (api-notes §4). The prior
 * system sent `str()` of everything ("12.3400" to numbers, "2025-07-21 00:00:00" to dates);
 * here every value is shaped for its column's type, and one that cannot be is reported for
 * its row rather than failing a whole batch.
 */

/** Values are formatted for `change_multiple_column_values` / `create_item`; `null` clears. */
export type FormattedValue = string | Record<string, unknown> | null;

export class FormatError extends Error {
  constructor(
    readonly columnId: string,
    readonly title: string,
    readonly type: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`column "${title}" (${columnId}, ${type}): ${reason}; value ${describe(value)}`);
    this.name = 'FormatError';
  }
}

export type FormatResult = { ok: true; value: FormattedValue } | { ok: false; error: FormatError };

export const LONG_TEXT_MAX = 2000;
export const ITEM_NAME_MAX = 255;
/** Ends a text cut under `long_text_overflow = "cut_with_note"`; never added otherwise. */
export const TRUNCATION_NOTE = ' … [truncated by ordersync]';

export interface FormatOptions {
  /** Text over LONG_TEXT_MAX code points (long text and text columns): cut, cut and note, or refuse. */
  longTextOverflow?: 'cut' | 'cut_with_note' | 'fail';
}

/** Computed or linked columns: monday rejects writes, or ignores them silently. */
export const READ_ONLY_TYPES: ReadonlySet<string> = new Set([
  'auto_number',
  'board_relation',
  'button',
  'creation_log',
  'dependency',
  'direct_doc',
  'doc',
  'file',
  'formula',
  'group',
  'integration',
  'item_id',
  'last_updated',
  'mirror',
  'progress',
  'subtasks',
  'time_tracking',
  'unsupported',
  'vote',
]);

type Formatter = (value: unknown, column: SnapshotColumn, options: FormatOptions) => FormattedValue;

class Reject extends Error {}

const FORMATTERS: Record<string, Formatter> = {
  text: (v, _column, options) => {
    const s = scalarText(v);
    return s === '' ? null : capText(s, options);
  },
  long_text: (v, _column, options) => {
    const s = typeof v === 'string' ? v : scalarText(v);
    if (s.trim() === '') return null;
    return { text: capText(s, options) };
  },
  numbers: (v) => {
    if (isBlank(v)) return null; // "" would set 0, not clear
    return typeof v === 'bigint' ? String(v) : plainNumber(toNumber(v));
  },
  date: (v) => (isBlank(v) ? null : { date: toIsoDate(v) }),
  status: (v, column) => {
    const label = labelText(v);
    if (label === '') return null;
    const known = findLabel(column, label);
    // monday reads numeric text as a label index, so such labels must go by their id.
    if (/^\d+$/.test(label)) {
      if (!known) throw new Reject(`numeric label "${label}" is not on the board; monday would read it as a label index`);
      return { index: known.id };
    }
    return { label: known?.label ?? label };
  },
  dropdown: (v, column) => {
    const raw = Array.isArray(v) ? v : [v];
    const texts = raw.map(labelText).filter((l) => l !== '');
    const labels = [...new Set(texts.map((l) => findLabel(column, l)?.label ?? l))];
    return labels.length === 0 ? null : { labels };
  },
  checkbox: (v) => (toBoolean(v) ? { checked: 'true' } : null),
  link: (v) => {
    if (isBlank(v)) return null;
    const { url, text } = typeof v === 'object' && v !== null ? (v as { url?: unknown; text?: unknown }) : { url: v, text: undefined };
    const u = typeof url === 'string' ? url.trim() : '';
    if (!/^https?:\/\/\S+$/i.test(u) || !URL.canParse(u)) throw new Reject('a link needs a URL starting with http:// or https://');
    return { url: u, text: typeof text === 'string' && text.trim() !== '' ? text.trim() : u };
  },
  name: (v) => {
    const s = isBlank(v) ? '' : scalarText(v);
    if (s === '') throw new Reject('an item name cannot be empty');
    if ([...s].length > ITEM_NAME_MAX) throw new Reject(`an item name is at most ${ITEM_NAME_MAX} characters`);
    return s;
  },
};

/** Whether ordersync can write a staging value to a column of this type (the name column excepted). */
export function writableType(type: string): boolean {
  return type !== 'name' && Object.hasOwn(FORMATTERS, type);
}

export function formatValue(column: SnapshotColumn, value: unknown, options: FormatOptions = {}): FormatResult {
  const fail = (reason: string): FormatResult => ({
    ok: false,
    error: new FormatError(column.id, column.title, column.type, value, reason),
  });
  if (READ_ONLY_TYPES.has(column.type)) return fail(`${column.type} columns are read-only`);
  const formatter = FORMATTERS[column.type];
  if (!formatter) return fail(`ordersync does not write ${column.type} columns`);
  // The name is the one column that cannot be cleared, so a missing name is an error, not a clear.
  if (column.type !== 'name' && (value === undefined || value === null)) return { ok: true, value: null };
  try {
    return { ok: true, value: formatter(value, column, options) };
  } catch (e) {
    if (e instanceof Reject) return fail(e.message);
    throw e;
  }
}

/**
 * A mapped column id the board does not have: a mapping (or board) mistake, not bad data.
 * Reported as monday reports it, InvalidColumnIdException, so the advice points at the mapping.
 */
export class UnknownColumnError extends FormatError {
  override name = 'UnknownColumnError';
}

/** Formats a whole row; any bad value fails the row, with every problem listed. */
export function formatColumnValues(
  snapshot: BoardSnapshot,
  values: Readonly<Record<string, unknown>>,
  options: FormatOptions = {},
): { ok: true; values: Record<string, FormattedValue> } | { ok: false; errors: FormatError[] } {
  const columns = new Map(snapshot.columns.map((c) => [c.id, c]));
  const out: Record<string, FormattedValue> = {};
  const errors: FormatError[] = [];
  for (const [id, value] of Object.entries(values)) {
    const column = columns.get(id);
    if (!column) {
      errors.push(new UnknownColumnError(id, id, 'unknown', value, `no such column on board ${snapshot.board_id} (${snapshot.name})`));
      continue;
    }
    const r = formatValue(column, value, options);
    if (r.ok) out[id] = r.value;
    else errors.push(r.error);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, values: out };
}

export interface MissingLabel {
  columnId: string;
  title: string;
  type: string;
  label: string;
}

/** Labels a formatted row would need created: when label creation is off, the row fails fast instead. */
export function missingLabels(snapshot: BoardSnapshot, columnValues: Readonly<Record<string, unknown>>): MissingLabel[] {
  const columns = new Map(snapshot.columns.map((c) => [c.id, c]));
  const missing: MissingLabel[] = [];
  for (const [id, value] of Object.entries(columnValues)) {
    const column = columns.get(id);
    if (!column || typeof value !== 'object' || value === null) continue;
    const v = value as { label?: unknown; labels?: unknown };
    const wanted =
      column.type === 'status' && typeof v.label === 'string'
        ? [v.label]
        : column.type === 'dropdown' && Array.isArray(v.labels)
          ? v.labels.filter((l): l is string => typeof l === 'string')
          : [];
    for (const label of wanted) {
      if (!findLabel(column, label)) missing.push({ columnId: id, title: column.title, type: column.type, label });
    }
  }
  return missing;
}

/**
 * Exact match first, then case-insensitive: sending "Cancelled" where the board has
 * "CANCELLED" would otherwise create a near-duplicate label.
 */
function findLabel(column: SnapshotColumn, label: string): SnapshotLabel | undefined {
  const labels = column.settings?.labels ?? [];
  const lower = label.toLowerCase();
  return labels.find((l) => l.label === label) ?? labels.find((l) => l.label.toLowerCase() === lower);
}

function isBlank(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

function scalarText(v: unknown): string {
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Reject('not a finite number');
    return plainNumber(v);
  }
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return toIsoDate(v);
  throw new Reject(`expected text, got ${Array.isArray(v) ? 'a list' : typeof v}`);
}

function labelText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') return scalarText(v);
  throw new Reject(`expected a label, got ${Array.isArray(v) ? 'a list' : typeof v}`);
}

/** monday keeps 2,000 characters of a long text; staging keeps the whole text either way. */
function capText(s: string, options: FormatOptions): string {
  const policy = options.longTextOverflow ?? 'cut';
  const length = codePointLength(s);
  if (length <= LONG_TEXT_MAX) return s;
  if (policy === 'fail') throw new Reject(`text is ${length} characters, monday keeps ${LONG_TEXT_MAX} (mapping.long_text_overflow = "fail")`);
  if (policy === 'cut') return cutToCodePoints(s, LONG_TEXT_MAX).text;
  return cutToCodePoints(s, LONG_TEXT_MAX - codePointLength(TRUNCATION_NOTE)).text + TRUNCATION_NOTE;
}

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function toNumber(v: unknown): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Reject('not a finite number');
    return v;
  }
  if (typeof v === 'string' && NUMERIC.test(v.trim())) return Number(v.trim());
  throw new Reject('not a number (plain digits with an optional "." and sign; no thousands separators or units)');
}

/** Decimal notation without exponent ("1e21" → "1000000000000000000000"), exact for every double. */
export function plainNumber(n: number): string {
  if (Object.is(n, -0)) return '0';
  const s = String(n);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const exp = Number(s.slice(e + 1));
  const mantissa = s.slice(0, e);
  const negative = mantissa.startsWith('-');
  const [intPart = '', frac = ''] = (negative ? mantissa.slice(1) : mantissa).split('.');
  const digits = intPart + frac;
  const point = intPart.length + exp;
  const body =
    point <= 0
      ? `0.${'0'.repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + '0'.repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return (negative ? '-' : '') + body;
}

const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function toIsoDate(v: unknown): string {
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new Reject('invalid date');
    // A DATE read by a driver arrives as local midnight; its calendar day is the local one.
    // Anything else is an instant, and monday stores dates in UTC.
    const localMidnight = v.getHours() === 0 && v.getMinutes() === 0 && v.getSeconds() === 0 && v.getMilliseconds() === 0;
    const utcMidnight = v.getUTCHours() === 0 && v.getUTCMinutes() === 0 && v.getUTCSeconds() === 0 && v.getUTCMilliseconds() === 0;
    return localMidnight && !utcMidnight
      ? ymd(v.getFullYear(), v.getMonth() + 1, v.getDate())
      : ymd(v.getUTCFullYear(), v.getUTCMonth() + 1, v.getUTCDate());
  }
  if (typeof v !== 'string') throw new Reject('expected a date (YYYY-MM-DD, ISO 8601 or a Date)');
  const m = DATE_TEXT.exec(v.trim());
  if (!m) throw new Reject('not a date (expected YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or ISO 8601)');
  const [, y, mo, d, , , , offset] = m;
  if (offset) {
    const at = new Date(v.trim().replace(' ', 'T'));
    if (Number.isNaN(at.getTime())) throw new Reject('not a valid date');
    return ymd(at.getUTCFullYear(), at.getUTCMonth() + 1, at.getUTCDate());
  }
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (check.getUTCFullYear() !== Number(y) || check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) {
    throw new Reject('no such calendar day');
  }
  return `${y}-${mo}-${d}`;
}

function ymd(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', 'x', 'v', 'checked']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', '', 'unchecked']);

function toBoolean(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number' && (v === 0 || v === 1)) return v === 1;
  if (typeof v === 'string') {
    const w = v.trim().toLowerCase();
    if (TRUE_WORDS.has(w)) return true;
    if (FALSE_WORDS.has(w)) return false;
  }
  throw new Reject('not a yes/no value (true/false, yes/no, 1/0)');
}

function describe(v: unknown): string {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
  if (typeof v === 'bigint') return `${v}n`;
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
