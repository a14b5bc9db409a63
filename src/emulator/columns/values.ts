import { apiErrors } from '../errors.js';
import type { Cell, ColumnDef } from '../model.js';
import { addLabel, labelById, labelByText, type Label } from './labels.js';

/** Column types a client may write, with the formats of api-notes §4. */
export const WRITABLE_TYPES = new Set(['text', 'long_text', 'numbers', 'date', 'status', 'dropdown', 'checkbox', 'link', 'people', 'board_relation']);
/** Column types the emulator can hold but that refuse writes, as in monday. */
export const READ_ONLY_TYPES = new Set(['mirror', 'formula', 'item_id', 'last_updated', 'subtasks']);

export const LONG_TEXT_MAX = 2000;

export interface WriteContext {
  createLabels: boolean;
  knownPeople: ReadonlySet<string>;
  itemExists(id: string): boolean;
}

/** `null` clears the column; anything else is the canonical data to store. */
export type Parsed = { data: unknown } | null;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;
const NUMBER_RE = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Parses one column's write. `simple` is change_simple_column_value's plain string; `json`
 * is one key of a column_values object, which may itself hold a simple string per key.
 */
export function parseWrite(column: ColumnDef, input: unknown, mode: 'json' | 'simple', ctx: WriteContext): Parsed {
  const bad = (reason?: string) => apiErrors.columnValue(column.id, column.type, input, reason);
  if (READ_ONLY_TYPES.has(column.type) || !WRITABLE_TYPES.has(column.type)) {
    throw bad(`invalid value - column type ${column.type} cannot be changed through the API`);
  }
  if (input === null || input === undefined) return null;

  switch (column.type) {
    case 'text':
      if (typeof input === 'number' && Number.isFinite(input)) return { data: String(input) };
      if (typeof input !== 'string') throw bad();
      return input === '' ? null : { data: input };
    case 'long_text': {
      const text = typeof input === 'string' ? input : isObj(input) && typeof input.text === 'string' ? input.text : undefined;
      if (text === undefined) throw bad();
      if (text.length > LONG_TEXT_MAX) throw bad(`invalid value - long text is limited to ${LONG_TEXT_MAX} characters`);
      return text === '' ? null : { data: { text } };
    }
    case 'numbers': {
      if (typeof input === 'number' && Number.isFinite(input)) return { data: String(input) };
      if (typeof input !== 'string') throw bad();
      const s = input.trim();
      if (s === '') return { data: '0' };
      if (!NUMBER_RE.test(s)) throw bad();
      return { data: s };
    }
    case 'date':
      return parseDate(input, bad);
    case 'status':
      return parseStatus(column, input, mode, ctx, bad);
    case 'dropdown':
      return parseDropdown(column, input, ctx, bad);
    case 'checkbox': {
      if (typeof input === 'string') throw apiErrors.correctedValue(column.id, column.type, input);
      if (!isObj(input) || !('checked' in input)) throw bad();
      const checked = input.checked === true || input.checked === 'true';
      if (!checked && input.checked !== false && input.checked !== 'false') throw bad();
      return checked ? { data: { checked: true } } : null;
    }
    case 'link': {
      let url: unknown;
      let text: unknown;
      if (typeof input === 'string') {
        if (input === '') return null;
        const space = input.indexOf(' ');
        if (space < 0) throw bad('invalid value - a link needs "URL TEXT"');
        url = input.slice(0, space);
        text = input.slice(space + 1);
      } else if (isObj(input)) {
        url = input.url;
        text = input.text ?? '';
      }
      if (typeof url !== 'string' || !/^https?:\/\/\S+$/i.test(url) || typeof text !== 'string') throw bad();
      return { data: { url, text } };
    }
    case 'people': {
      let entries: Array<{ id: number; kind: string }>;
      if (typeof input === 'string') {
        if (input.trim() === '') return null;
        entries = input.split(',').map((s) => ({ id: Number(s.trim()), kind: 'person' }));
      } else if (isObj(input) && Array.isArray(input.personsAndTeams)) {
        entries = input.personsAndTeams.map((p: unknown) => (isObj(p) ? { id: Number(p.id), kind: String(p.kind ?? 'person') } : { id: NaN, kind: '' }));
      } else throw bad();
      for (const e of entries) {
        if (!ctx.knownPeople.has(String(e.id)) || (e.kind !== 'person' && e.kind !== 'team')) throw apiErrors.invalidUser(e.id);
      }
      return entries.length === 0 ? null : { data: { personsAndTeams: entries } };
    }
    case 'board_relation': {
      if (typeof input === 'string') throw apiErrors.correctedValue(column.id, column.type, input);
      if (!isObj(input) || !Array.isArray(input.item_ids)) throw bad();
      const ids = input.item_ids.map(String);
      if (ids.some((id) => !ctx.itemExists(id))) throw bad('invalid value - linked item not found');
      return ids.length === 0 ? null : { data: { linkedPulseIds: ids.map((id) => ({ linkedPulseId: Number(id) })) } };
    }
  }
  throw bad();
}

function parseDate(input: unknown, bad: (reason?: string) => Error): Parsed {
  let date: unknown;
  let time: unknown = null;
  if (typeof input === 'string') {
    if (input === '') return null;
    [date, time = null] = input.trim().split(/\s+/, 2);
  } else if (isObj(input)) {
    date = input.date;
    time = input.time ?? null;
  }
  if (typeof date !== 'string' || !validDate(date)) throw bad();
  if (time !== null) {
    const m = typeof time === 'string' ? TIME_RE.exec(time) : null;
    if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59) throw bad();
    time = `${m[1]}:${m[2]}:${m[3] ?? '00'}`;
  }
  return { data: { date, time } };
}

function validDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

function findOrCreate(column: ColumnDef, text: string, ctx: WriteContext, bad: (reason?: string) => Error): Label {
  const found = labelByText(column, text);
  if (found) return found;
  if (!ctx.createLabels) throw bad('invalid value - label does not exist in column');
  const created = addLabel(column, text);
  if (!created) throw bad('invalid value - the column cannot take more labels');
  return created;
}

function parseStatus(column: ColumnDef, input: unknown, mode: 'json' | 'simple', ctx: WriteContext, bad: (reason?: string) => Error): Parsed {
  let byId: number | undefined;
  let byText: string | undefined;
  if (typeof input === 'string') {
    if (input === '') return null;
    // A numeric simple value is a label id, which is why numeric labels must be written by id.
    if (/^\d+$/.test(input)) byId = Number(input);
    else byText = input;
  } else if (mode === 'json' && isObj(input)) {
    if ('index' in input) byId = Number(input.index);
    else if (typeof input.label === 'string') {
      if (input.label === '') return null;
      byText = input.label;
    } else throw bad();
  } else throw bad();
  if (byId !== undefined) {
    if (!Number.isInteger(byId) || !labelById(column, byId)) throw bad('invalid value - label index does not exist in column');
    return { data: { index: byId } };
  }
  return { data: { index: findOrCreate(column, byText!, ctx, bad).id } };
}

function parseDropdown(column: ColumnDef, input: unknown, ctx: WriteContext, bad: (reason?: string) => Error): Parsed {
  let ids: number[] | undefined;
  let labels: string[] | undefined;
  if (typeof input === 'string') {
    const parts = input.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (parts.length > 0 && parts.every((p) => /^\d+$/.test(p))) ids = parts.map(Number);
    else labels = parts;
  } else if (isObj(input)) {
    if ('ids' in input && 'labels' in input) throw bad('invalid value - send either labels or ids, not both');
    if (Array.isArray(input.ids)) ids = input.ids.map(Number);
    else if (Array.isArray(input.labels) && input.labels.every((l) => typeof l === 'string')) labels = input.labels as string[];
    else throw bad();
  } else throw bad();
  if (ids) {
    if (ids.some((id) => !labelById(column, id))) throw bad('invalid value - dropdown label id does not exist in column');
  } else {
    ids = labels!.map((text) => findOrCreate(column, text, ctx, bad).id);
  }
  const unique = [...new Set(ids)];
  return unique.length === 0 ? null : { data: { ids: unique } };
}

function isObj(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The display `text` of a stored value: what monday shows in the cell. */
export function cellText(column: ColumnDef, cell: Cell | undefined): string | null {
  const d = cell?.data as any;
  switch (column.type) {
    case 'status':
      return d ? (labelById(column, d.index)?.label ?? null) : null;
    case 'dropdown':
      return d ? (d.ids as number[]).map((id) => labelById(column, id)?.label ?? '').join(', ') : null;
    case 'text':
    case 'numbers':
      return d ?? '';
    case 'long_text':
      return d?.text ?? '';
    case 'date':
      return d ? (d.time ? `${d.date} ${String(d.time).slice(0, 5)}` : d.date) : '';
    case 'checkbox':
      return d ? 'v' : '';
    case 'link':
      return d ? `${d.text} - ${d.url}` : '';
    default:
      return '';
  }
}

/** Whole values a lookup by column value can match (each dropdown label on its own). */
export function indexKeys(column: ColumnDef, cell: Cell | undefined): string[] {
  if (!cell) return [];
  if (column.type === 'dropdown') {
    return ((cell.data as { ids: number[] }).ids ?? []).map((id) => labelById(column, id)?.label ?? '').filter((s) => s !== '');
  }
  const text = cellText(column, cell);
  return text ? [text] : [];
}

/** The raw `value` JSON string; types whose monday value carries changed_at get it. */
export function cellValueJson(column: ColumnDef, cell: Cell | undefined): string | null {
  if (!cell) return null;
  switch (column.type) {
    case 'text':
    case 'numbers':
    case 'dropdown':
      return JSON.stringify(cell.data);
    case 'status':
      return JSON.stringify({ ...(cell.data as object), post_id: null, changed_at: cell.changedAt });
    default:
      return JSON.stringify({ ...(cell.data as object), changed_at: cell.changedAt });
  }
}
