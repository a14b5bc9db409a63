import type { Settings } from '../../src/config/schema.js';
import { cellText } from '../../src/emulator/columns/values.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import type { MondayClient, MondayItem } from '../../src/monday/client.js';
import { stagingColumns, type StagingColumn, type StagingRow } from '../../src/sampledata/index.js';

/**
 * The board as a planner sees it, and the board the staging data should produce, computed
 * here from the staging rows alone (independently of src/merge), so an end-to-end test can
 * say "the board equals the projection" and show a readable diff when it does not.
 */

export interface BoardSubitem {
  id: string;
  size: string;
  qty: number | null;
}

export interface BoardItem {
  id: string;
  /** Text of the business-key column. */
  key: string;
  name: string;
  groupId: string;
  group: string;
  /** Display text by column id ('' when empty). */
  columns: Record<string, string>;
  /** Active subitems by size. */
  subitems: Record<string, BoardSubitem>;
  /** Sizes present on more than one active subitem of this item. */
  duplicateSizes: string[];
  state: string;
}

export interface BoardView {
  /** Active items by key (the first one, when a key is duplicated). */
  items: Map<string, BoardItem>;
  /** Keys carried by more than one active item. */
  duplicateKeys: Map<string, string[]>;
  /** Active items whose key column is empty. */
  withoutKey: BoardItem[];
  /** Only when read from the emulator's store: the API lists active items only. */
  archived: BoardItem[];
  deleted: BoardItem[];
  /** Active groups. */
  groups: Array<{ id: string; title: string }>;
  /** Titles carried by more than one active group. */
  duplicateGroups: string[];
  /** Column types by id (items board), for comparing label texts case-insensitively. */
  columnTypes: Record<string, string>;
  /** Labels per dropdown/status column of the items board (store reads only). */
  labels: Record<string, string[]>;
}

export interface ReadBoardOptions {
  /** Default: the column titled AAG ORDER NUMBER. */
  keyColumnId?: string;
  sizeColumnId?: string;
  qtyColumnId?: string;
}

type Source = RunningEmulator | MondayClient;

function isEmulator(s: Source): s is RunningEmulator {
  return 'store' in s;
}

/** Reads the items board (and its subitems) back from the emulator's store, or over the API with a client. */
export async function readBoard(source: Source, itemsBoardId: string, opts: ReadBoardOptions = {}): Promise<BoardView> {
  const sizeCol = opts.sizeColumnId ?? 'dropdown_mkrak7qp';
  const qtyCol = opts.qtyColumnId ?? 'numeric_mkra7j8e';
  const all: BoardItem[] = [];
  let groups: Array<{ id: string; title: string }>;
  let columnTypes: Record<string, string>;
  const labels: Record<string, string[]> = {};
  let keyCol = opts.keyColumnId;

  if (isEmulator(source)) {
    const store = source.store;
    const board = store.boards.get(itemsBoardId);
    if (!board) throw new Error(`no board ${itemsBoardId} in the emulator`);
    columnTypes = Object.fromEntries(board.columns.map((c) => [c.id, c.type]));
    for (const c of board.columns) {
      const ls = (c.settings as { labels?: Array<{ label: string }> }).labels;
      if (Array.isArray(ls)) labels[c.id] = ls.map((l) => l.label);
    }
    keyCol ??= board.columns.find((c) => c.title === 'AAG ORDER NUMBER')?.id;
    groups = store.activeGroups(board).map((g) => ({ id: g.id, title: g.title }));
    const groupTitle = new Map(board.groups.map((g) => [g.id, g.title]));
    for (const item of board.items.values()) {
      const columns: Record<string, string> = {};
      for (const c of board.columns) columns[c.id] = cellText(c, item.values.get(c.id)) ?? '';
      const subs: BoardSubitem[] = [];
      for (const sid of item.subitemIds) {
        const sub = store.items.get(sid);
        if (!sub || sub.state !== 'active') continue;
        const subBoard = store.boards.get(sub.boardId);
        const text = (id: string) => {
          const col = subBoard?.columns.find((c) => c.id === id);
          return col ? (cellText(col, sub.values.get(id)) ?? '') : '';
        };
        subs.push({ id: sub.id, size: text(sizeCol).trim(), qty: qtyOf(text(qtyCol)) });
      }
      all.push(toItem(item.id, item.name, item.groupId, groupTitle.get(item.groupId) ?? '', item.state, columns, subs, keyCol));
    }
  } else {
    const schema = await source.boardSchema(itemsBoardId);
    columnTypes = Object.fromEntries(schema.columns.map((c) => [c.id, c.type]));
    keyCol ??= schema.columns.find((c) => c.title === 'AAG ORDER NUMBER')?.id;
    groups = (await source.groups(itemsBoardId)).map((g) => ({ id: g.id, title: g.title }));
    // With subitems, a page of 500 would cost more than monday's 5M per request: 100 stays under.
    const items = await source.boardItems(itemsBoardId, { withSubitems: true, pageSize: 100 });
    for (const item of items) all.push(fromApi(item, sizeCol, qtyCol, keyCol));
  }

  const view: BoardView = {
    items: new Map(),
    duplicateKeys: new Map(),
    withoutKey: [],
    archived: all.filter((i) => i.state === 'archived'),
    deleted: all.filter((i) => i.state === 'deleted'),
    groups,
    duplicateGroups: duplicates(groups.map((g) => g.title)),
    columnTypes,
    labels,
  };
  for (const item of all.filter((i) => i.state === 'active')) {
    if (item.key === '') {
      view.withoutKey.push(item);
      continue;
    }
    const first = view.items.get(item.key);
    if (first) view.duplicateKeys.set(item.key, [...(view.duplicateKeys.get(item.key) ?? [first.id]), item.id]);
    else view.items.set(item.key, item);
  }
  return view;
}

function fromApi(item: MondayItem, sizeCol: string, qtyCol: string, keyCol: string | undefined): BoardItem {
  const columns = Object.fromEntries(item.column_values.map((c) => [c.id, c.text ?? '']));
  const subs = (item.subitems ?? [])
    .filter((s) => (s.state ?? 'active') === 'active')
    .map((s) => {
      const text = (id: string) => s.column_values.find((c) => c.id === id)?.text ?? '';
      return { id: s.id, size: text(sizeCol).trim(), qty: qtyOf(text(qtyCol)) };
    });
  return toItem(item.id, item.name, item.group?.id ?? '', item.group?.title ?? '', item.state ?? 'active', columns, subs, keyCol);
}

function toItem(
  id: string,
  name: string,
  groupId: string,
  group: string,
  state: string,
  columns: Record<string, string>,
  subs: BoardSubitem[],
  keyCol: string | undefined,
): BoardItem {
  const subitems: Record<string, BoardSubitem> = {};
  const sizes: string[] = [];
  for (const s of subs) {
    sizes.push(s.size);
    subitems[s.size] ??= s;
  }
  return { id, key: keyCol ? (columns[keyCol] ?? '').trim() : '', name, groupId, group, columns, subitems, duplicateSizes: duplicates(sizes), state };
}

function qtyOf(text: string): number | null {
  if (text.trim() === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

function duplicates(values: string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const v of values) (seen.has(v) ? dup : seen).add(v);
  return [...dup];
}

// ---------------------------------------------------------------------------------------
// The expected board

export interface ExpectedItem {
  key: string;
  name: string;
  group: string;
  cancelled: boolean;
  /** Expected display text by items-board column id ('' = empty). */
  columns: Record<string, string>;
  /** Expected quantity per size. */
  subitems: Record<string, number>;
}

export type ExpectedBoard = Map<string, ExpectedItem>;

export interface ExpectedOptions {
  /** The board the previous runs should have produced (removed sizes, never-synced cancellations, vanished keys). */
  previous?: ExpectedBoard;
  /** Keys whose item must still look as in `previous` (their row is expected to fail this run). */
  keep?: Iterable<string>;
  /** Staging columns (types and which are sizes); default the sample data's. */
  columns?: readonly StagingColumn[];
}

/** Staging keys the projection left out, and why (for assertions on reports). */
export interface ExpectedNotes {
  duplicates: string[];
  emptyKeyRows: number;
  blankRows: number;
  skippedCancelled: string[];
}

/**
 * The board the staging rows should produce (SPEC §1.2–1.3, §4), computed independently:
 * one item per valid key (duplicate keys under policy `error` are skipped and keep what the
 * board had), group = customer + customer season, else customer + AAG season, else the
 * fallback; cancelled orders (case-insensitively) show their order type, the status label
 * and qty 0 on every size; a cancelled order never on the board stays off it (policy skip);
 * a size that disappears stays at qty 0 (line_delete_policy zero); vanished keys stay.
 */
export function expectedBoard(rows: Iterable<StagingRow>, s: Settings, opts: ExpectedOptions = {}): ExpectedBoard & { notes: ExpectedNotes } {
  const columns = opts.columns ?? stagingColumns();
  const types = new Map(columns.map((c) => [c.name, c.type]));
  const sizeNames = s.staging.size_columns.length > 0 ? s.staging.size_columns : columns.filter((c) => c.role === 'size').map((c) => c.name);
  const previous = opts.previous ?? new Map<string, ExpectedItem>();
  const cancelledValues = new Set(s.staging.cancelled_values.map((v) => v.toLowerCase()));
  const notes: ExpectedNotes = { duplicates: [], emptyKeyRows: 0, blankRows: 0, skippedCancelled: [] };

  const text = (row: StagingRow, column: string): string => {
    const v = row[column];
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return String(v);
    const t = String(v).trim();
    const type = types.get(column);
    if (t !== '' && (type === 'decimal' || type === 'integer') && Number.isFinite(Number(t))) return String(Number(t));
    // A date column shows the day; a midnight time adds nothing.
    if (type === 'date' && /^\d{4}-\d{2}-\d{2}[ T]00:00(:00)?$/.test(t)) return t.slice(0, 10);
    return t;
  };
  const keyOf = (row: StagingRow) => s.staging.key_columns.map((c) => text(row, c));

  const byKey = new Map<string, StagingRow[]>();
  for (const row of rows) {
    if (Object.values(row).every((v) => v === null || String(v).trim() === '')) {
      notes.blankRows++;
      continue;
    }
    const key = keyOf(row);
    if (key.some((k) => k === '')) {
      notes.emptyKeyRows++;
      continue;
    }
    const k = key.join(' | ');
    byKey.set(k, [...(byKey.get(k) ?? []), row]);
  }

  const out = new Map<string, ExpectedItem>();
  for (const [key, staged] of byKey) {
    let row: StagingRow;
    if (staged.length > 1) {
      notes.duplicates.push(key);
      if (s.staging.duplicate_policy === 'error') continue;
      row = (s.staging.duplicate_policy === 'first' ? staged[0] : staged[staged.length - 1]) as StagingRow;
    } else row = staged[0] as StagingRow;

    const cancelled = cancelledValues.has(text(row, s.staging.order_type_column).toLowerCase());
    const before = previous.get(key);
    if (cancelled && !before && s.cancel.never_synced === 'skip') {
      notes.skippedCancelled.push(key);
      continue;
    }
    const subitems: Record<string, number> = {};
    if (s.mapping.line_delete_policy === 'zero') for (const size of Object.keys(before?.subitems ?? {})) subitems[size] = 0;
    for (const size of sizeNames) {
      const q = row[size];
      const qty = typeof q === 'number' ? q : q === null || q === undefined || String(q).trim() === '' ? 0 : Number(q);
      if (qty > 0) subitems[size] = cancelled ? 0 : qty;
    }
    const item: ExpectedItem = {
      key,
      name: itemNameOf(s.mapping.item_name, (c) => text(row, c), key),
      group: cancelled && s.cancel.move_to_group ? s.cancel.move_to_group : nameRule(s.mapping.group_name, (c) => text(row, c)),
      cancelled,
      columns: {},
      subitems,
    };
    const quantities = sizeNames.map((size) => {
      const q = row[size];
      return typeof q === 'number' ? q : q === null || q === undefined || String(q).trim() === '' ? 0 : Number(q);
    });
    const total = quantities.reduce((n, q) => n + q, 0);
    const lineCount = quantities.filter((q) => q > 0).length;
    for (const [source, columnId] of Object.entries(s.mapping.columns)) {
      if (source === '@synced_at') continue;
      const value =
        source === '@total_qty'
          ? String(cancelled ? 0 : total)
          : source === '@line_count'
            ? String(lineCount)
            : source === '@state'
              ? cancelled ? 'cancelled' : 'active'
              : transformed(s.mapping.transforms[source], text(row, source));
      item.columns[columnId] = firstCodePoints(value, 2_000);
    }
    if (s.cancel.status_column_id) item.columns[s.cancel.status_column_id] = cancelled ? s.cancel.status_label : (s.cancel.active_label ?? '');
    out.set(key, item);
  }
  // Orders the board had that this load leaves out (vanished, duplicated, invalid) keep their item.
  if (s.staging.vanished_policy === 'leave') {
    for (const [key, item] of previous) if (!out.has(key)) out.set(key, item);
  }
  for (const key of opts.keep ?? []) {
    const item = previous.get(key);
    if (item) out.set(key, item);
    else out.delete(key);
  }
  return Object.assign(out, { notes });
}

/** Whole graphemes, at most `max` code points (monday's limits count code points). */
function firstCodePoints(text: string, max: number): string {
  if ([...text].length <= max) return text;
  let out = '';
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) {
    if ([...out].length + [...segment].length > max) break;
    out += segment;
  }
  return out;
}

function transformed(rule: Settings['mapping']['transforms'][string] | undefined, value: string): string {
  if (!rule) return value;
  let out = value;
  for (const step of rule.transform) {
    if (step === 'trim') out = out.trim();
    if (step === 'upper') out = out.toUpperCase();
    if (step === 'lower') out = out.toLowerCase();
    if (step === 'collapse_space') out = out.split(/\s+/).filter(Boolean).join(' ');
  }
  return rule.values[out] ?? out;
}

function itemNameOf(rule: Settings['mapping']['item_name'], get: (column: string) => string, key: string): string {
  let name = '';
  if (rule.parts) name = rule.parts.map(get).filter((v) => v !== '').join(rule.separator);
  else name = nameRule({ columns: rule.columns ?? [], separator: rule.separator, fallback: '' }, get);
  name = name.split(/\s+/).filter(Boolean).join(' ');
  if (name === '') name = rule.fallback ?? key;
  return firstCodePoints(name, 255).trimEnd();
}

function nameRule(rule: Settings['mapping']['group_name'], get: (column: string) => string): string {
  for (const columns of rule.columns) {
    const values = columns.map(get);
    if (values.every((v) => v !== '')) return values.join(rule.separator);
  }
  return rule.fallback;
}

// ---------------------------------------------------------------------------------------
// Comparison

const LABEL_TYPES = new Set(['dropdown', 'status']);

/** Every difference between the board and the projection, one readable line each. */
export function diffBoard(actual: BoardView, expected: ExpectedBoard): string[] {
  const out: string[] = [];
  for (const [key, ids] of actual.duplicateKeys) out.push(`duplicate items for ${key}: ${ids.join(', ')}`);
  for (const title of actual.duplicateGroups) out.push(`duplicate groups titled "${title}"`);
  for (const item of actual.withoutKey) out.push(`item ${item.id} "${item.name}" has no key`);
  for (const [key, want] of expected) {
    const got = actual.items.get(key);
    if (!got) {
      out.push(`missing item ${key} ("${want.name}" in "${want.group}")`);
      continue;
    }
    const at = `${key} (item ${got.id})`;
    if (got.name !== want.name) out.push(`${at}: name "${got.name}" ≠ expected "${want.name}"`);
    if (got.group !== want.group) out.push(`${at}: group "${got.group}" ≠ expected "${want.group}"`);
    for (const [columnId, wantText] of Object.entries(want.columns)) {
      const gotText = got.columns[columnId] ?? '';
      const same = LABEL_TYPES.has(actual.columnTypes[columnId] ?? '') ? gotText.toLowerCase() === wantText.toLowerCase() : gotText === wantText;
      if (!same) out.push(`${at}: column ${columnId} ${JSON.stringify(gotText)} ≠ expected ${JSON.stringify(wantText)}`);
    }
    for (const size of got.duplicateSizes) out.push(`${at}: duplicate subitems for size ${size}`);
    for (const [size, qty] of Object.entries(want.subitems)) {
      const sub = got.subitems[size];
      if (!sub) out.push(`${at}: missing subitem ${size} (qty ${qty})`);
      else if (sub.qty !== qty) out.push(`${at}: size ${size} qty ${sub.qty} ≠ expected ${qty}`);
    }
    for (const size of Object.keys(got.subitems)) {
      if (!(size in want.subitems)) out.push(`${at}: unexpected subitem ${size} (qty ${got.subitems[size]?.qty})`);
    }
  }
  for (const [key, item] of actual.items) if (!expected.has(key)) out.push(`unexpected item ${key} ("${item.name}", item ${item.id})`);
  return out;
}

/** Throws with the first 60 differences when the board does not equal the projection. */
export function assertBoardMatches(actual: BoardView, expected: ExpectedBoard, label = 'board'): void {
  const diff = diffBoard(actual, expected);
  if (diff.length === 0) return;
  const shown = diff.slice(0, 60).map((l) => `  - ${l}`);
  if (diff.length > 60) shown.push(`  … and ${diff.length - 60} more`);
  throw new Error(`${label} does not match the staging projection (${diff.length} differences; ${actual.items.size} items on the board, ${expected.size} expected):\n${shown.join('\n')}`);
}
