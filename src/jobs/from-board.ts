import { extname } from 'node:path';
import type { BoardStarter } from '../config/index.js';
import { ConfigError } from '../errors.js';
import { csvRecords, xlsxRecords } from '../ingest/index.js';
import {
  fetchBoardSnapshot,
  subitemsBoardId,
  kindFromName,
  READ_ONLY_TYPES,
  writableType,
  type BoardSnapshot,
  type SnapshotColumn,
  type SnapshotSource,
} from '../monday/index.js';
import { FIRST_MARKER, LAST_MARKER, stagingColumns, type StagingColumnType } from '../sampledata/index.js';

/** Where the staging column names came from, and the names in file order. */
export interface StagingHeader {
  source: string;
  columns: string[];
  /** Column types, when the source declares them (the sample layout does; a file's header does not). */
  types?: Map<string, StagingColumnType>;
}

/**
 * The staging columns `init --from-board` pairs: the header row of a given order-list file, or else
 * the sample data's header, which is the upstream staging table's (prior system's ORDER_LIST) layout.
 */
export async function stagingHeader(file: string | undefined): Promise<StagingHeader> {
  if (file === undefined) {
    const layout = stagingColumns();
    return {
      source: 'the sample data header (`ordersync gen`), the upstream ORDER_LIST layout',
      columns: layout.map((c) => c.name),
      types: new Map(layout.map((c) => [c.name, c.type])),
    };
  }
  const ext = extname(file).toLowerCase();
  if (ext !== '.csv' && ext !== '.xlsx') throw new ConfigError(`${file}: unsupported file type "${ext || '(none)'}"; expected .csv or .xlsx`);
  const records = (ext === '.csv' ? csvRecords : xlsxRecords)(file);
  try {
    const first = await records.next();
    if (first.done) throw new ConfigError(`${file}: empty file, no header row`);
    return { source: `the header row of ${file}`, columns: first.value.values.map((v) => v.trim()).filter((v) => v !== '') };
  } finally {
    await records.return(undefined);
  }
}

/** Titles compare without regard to case or spaces: "Order Qty" pairs with "ORDER QTY" and "ORDERQTY". */
export function titleKey(title: string): string {
  return title.toLowerCase().replace(/\s+/g, '');
}

/** The columns strictly between the size markers: sizes become subitems, never item columns. */
function sizeColumns(columns: readonly string[]): Set<string> {
  const start = columns.indexOf(FIRST_MARKER);
  const end = columns.indexOf(LAST_MARKER);
  return start >= 0 && end > start ? new Set(columns.slice(start + 1, end)) : new Set();
}

export interface FromBoardOptions {
  itemsBoardId: string;
  staging: StagingHeader;
  /** Column ids that override what is found by title. */
  sizeColumnId?: string;
  qtyColumnId?: string;
  /** The label a cancelled order gets; a status column carrying it becomes cancel.status_column_id. */
  cancelledLabel: string;
}

export interface BoardReading {
  items: BoardSnapshot;
  subitems: BoardSnapshot;
  starter: Omit<BoardStarter, 'envName' | 'apiUrl' | 'apiUrlEnv' | 'tokenEnv' | 'apiVersion'>;
}

/** Reads both boards and pairs their columns with the staging columns by title. */
export async function readBoards(client: SnapshotSource, opts: FromBoardOptions): Promise<BoardReading> {
  const items = await fetchBoardSnapshot(client, opts.itemsBoardId);
  const subId = subitemsBoardId(items);
  if (!subId) throw new ConfigError(`board ${items.board_id} "${items.name}" has no subitems column; ordersync keeps sizes as subitems, so add one in monday first`);
  const subitems = await fetchBoardSnapshot(client, subId);

  const sizes = sizeColumns(opts.staging.columns);
  const byTitle = new Map<string, string>();
  for (const name of opts.staging.columns) if (!sizes.has(name) && !byTitle.has(titleKey(name))) byTitle.set(titleKey(name), name);

  const paired: BoardStarter['columns'] = [];
  const unpaired: BoardStarter['unpaired'] = [];
  const taken = new Map<string, SnapshotColumn>();
  for (const column of items.columns) {
    const reason = unpairedReason(column, byTitle, taken, opts.staging.types);
    if (reason) {
      unpaired.push({ id: column.id, title: column.title, type: column.type, reason, writable: writableType(column.type) });
      continue;
    }
    const staging = byTitle.get(titleKey(column.title)) as string;
    taken.set(staging, column);
    paired.push({ staging, id: column.id, title: column.title, type: column.type });
  }

  const size = pick(subitems, 'size', opts.sizeColumnId, (c) => ['dropdown', 'status', 'text'].includes(c.type), (t) => t === 'size', (t) => t.includes('size'));
  const qty = pick(
    subitems,
    'quantity',
    opts.qtyColumnId,
    (c) => c.type === 'numbers',
    (t) => ['qty', 'quantity', 'orderqty', 'orderquantity', 'orderedqty'].includes(t),
    (t) => t.includes('qty') || t.includes('quantity'),
  );
  const labelled = (c: { type: string }) => c.type === 'dropdown' || c.type === 'status';
  const cancelled = titleKey(opts.cancelledLabel);
  const statusColumns = items.columns.filter((c) => c.type === 'status' && (c.settings?.labels ?? []).some((l) => titleKey(l.label) === cancelled));

  return {
    items,
    subitems,
    starter: {
      itemsBoard: { id: items.board_id, name: items.name },
      subitemsBoard: { id: subitems.board_id, name: subitems.name },
      stagingSource: opts.staging.source,
      columns: paired,
      unpaired,
      size: { id: size.id, title: size.title },
      qty: { id: qty.id, title: qty.title },
      createLabels: [...paired.filter(labelled).map((c) => c.id), ...(labelled(size) ? [size.id] : [])],
      cancelStatusColumnId: statusColumns.length === 1 ? statusColumns[0]?.id : undefined,
    },
  };
}

function unpairedReason(
  column: SnapshotColumn,
  byTitle: Map<string, string>,
  taken: Map<string, SnapshotColumn>,
  types: Map<string, StagingColumnType> | undefined,
): string | undefined {
  if (column.type === 'name') return 'the item name, built by [mapping.item_name]';
  if (column.type === 'subtasks') return 'the subitems: one per size';
  if (READ_ONLY_TYPES.has(column.type)) return 'computed by monday, cannot be written';
  if (!writableType(column.type)) return `ordersync does not write ${column.type} columns`;
  const staging = byTitle.get(titleKey(column.title));
  if (staging === undefined) return 'no staging column of this title';
  const earlier = taken.get(staging);
  if (earlier) return `"${staging}" is already paired with ${earlier.id}, which has the same title`;
  if (kindFromName(staging) === 'date' && !['date', 'text', 'long_text'].includes(column.type)) return `"${staging}" holds dates, which a ${column.type} column cannot take`;
  // A text column upstream holds words too ("TBC"), which a numbers column refuses row by row.
  if (column.type === 'numbers' && types?.get(staging) === 'text') return `"${staging}" is a text column upstream; a numbers column takes numbers only`;
  return undefined;
}

/**
 * One subitems column for a role: the given id, else the single column of a fitting type whose
 * title matches exactly, else the single one whose title contains the word. Ambiguity is an
 * error that lists the candidates, never a guess.
 */
function pick(
  board: BoardSnapshot,
  role: string,
  given: string | undefined,
  fits: (c: SnapshotColumn) => boolean,
  exact: (titleKey: string) => boolean,
  loose: (titleKey: string) => boolean,
): SnapshotColumn {
  const flag = role === 'size' ? '--size-column' : '--qty-column';
  if (given !== undefined) {
    const column = board.columns.find((c) => c.id === given);
    if (!column) throw new ConfigError(`${flag} ${given}: no such column on subitems board ${board.board_id} (${list(board.columns)})`);
    if (!fits(column)) throw new ConfigError(`${flag} ${given}: "${column.title}" is a ${column.type} column, which cannot hold the ${role}`);
    return column;
  }
  const candidates = board.columns.filter(fits);
  for (const test of [exact, loose]) {
    const found = candidates.filter((c) => test(titleKey(c.title)));
    if (found.length === 1 && found[0]) return found[0];
    if (found.length > 1) {
      throw new ConfigError(`subitems board ${board.board_id}: several columns could hold the ${role} (${list(found)}); choose one with ${flag} <id>`);
    }
  }
  throw new ConfigError(
    `subitems board ${board.board_id}: no column titled like a ${role}${candidates.length ? ` among ${list(candidates)}` : ''}; choose one with ${flag} <id>`,
  );
}

function list(columns: readonly SnapshotColumn[]): string {
  return columns.map((c) => `${c.id} "${c.title}" (${c.type})`).join(', ');
}
