import cms from './fixtures/customer-master-schedule.json' with { type: 'json' };
import { normalizeLabels } from './columns/labels.js';
import { parseWrite, READ_ONLY_TYPES, WRITABLE_TYPES, type WriteContext } from './columns/values.js';
import { isoNow } from './clock.js';
import type { Board, BoardKind, BoardType, ColumnDef, Item, ItemState, Store } from './model.js';

/** A column as `boards { columns { id title type settings } }` returns it. */
export interface SeedColumn {
  id: string;
  title: string;
  type: string;
  settings?: Record<string, unknown> | null;
  description?: string | null;
}

export interface SeedItem {
  id?: string;
  name: string;
  group_id?: string;
  /** Write format, keyed by column id, as in create_item's column_values (labels are created). */
  column_values?: Record<string, unknown>;
  subitems?: SeedItem[];
}

/** A board as the API returns it, plus optional items. */
export interface SeedBoard {
  id?: string;
  name: string;
  board_kind?: BoardKind;
  type?: BoardType;
  description?: string | null;
  items_limit?: number;
  columns: SeedColumn[];
  groups?: Array<{ id: string; title: string; color?: string }>;
  items?: SeedItem[];
}

export interface EmulatorSeed {
  boards: SeedBoard[];
}

/** Column types the emulator can store: the writable ones, the read-only ones, and `name`. */
export function isSupportedColumnType(type: string): boolean {
  return type === 'name' || WRITABLE_TYPES.has(type) || READ_ONLY_TYPES.has(type);
}

/** The shipped "Customer Master Schedule" items board (9000000001) and its subitems board (9000000002). */
export function customerMasterScheduleSeed(): EmulatorSeed {
  return structuredClone(cms) as EmulatorSeed;
}

/** Also takes a pasted API answer, `{"data":{"boards":[…]}}`. */
export function asSeed(raw: unknown): EmulatorSeed {
  const r = raw as { boards?: unknown; data?: { boards?: unknown } };
  const boards = r?.boards ?? r?.data?.boards;
  if (!Array.isArray(boards)) throw new Error('a seed needs a "boards" array');
  return { boards: boards as SeedBoard[] };
}

export function makeColumn(store: Store, def: SeedColumn): ColumnDef {
  if (!isSupportedColumnType(def.type)) throw new Error(`column ${def.id}: type ${def.type} is not supported by the emulator`);
  const settings = { ...(def.settings ?? {}) };
  if (def.type === 'status' || def.type === 'dropdown') settings.labels = normalizeLabels(def.type, settings.labels);
  return {
    id: def.id || store.shortId(def.type),
    title: def.title,
    type: def.type,
    description: def.description ?? null,
    settings,
    archived: false,
    width: null,
    revision: 1,
  };
}

export function applySeed(store: Store, seed: EmulatorSeed, ctx: Omit<WriteContext, 'createLabels'>): Board[] {
  const boards = seed.boards.map((b) => {
    if (b.id && store.boards.has(String(b.id))) throw new Error(`board ${b.id} already exists`);
    const board = store.addBoard({
      id: b.id === undefined ? undefined : String(b.id),
      name: b.name,
      kind: b.board_kind ?? 'public',
      type: b.type ?? 'board',
      description: b.description ?? null,
      itemsLimit: b.items_limit,
    });
    board.columns = b.columns.map((c) => makeColumn(store, c));
    if (!board.columns.some((c) => c.type === 'name')) board.columns.unshift(makeColumn(store, { id: 'name', title: 'Name', type: 'name' }));
    for (const g of b.groups?.length ? b.groups : [{ id: 'topics', title: 'Group Title' }]) store.addGroup(board, g, { at: 'bottom' });
    return board;
  });
  // Subitems boards learn their parent from the parent's subtasks column.
  for (const board of boards) {
    for (const col of board.columns.filter((c) => c.type === 'subtasks')) {
      for (const id of (col.settings.boardIds as unknown[] | undefined) ?? []) {
        const sub = store.boards.get(String(id));
        if (sub) sub.parentBoardId = board.id;
      }
    }
  }
  seed.boards.forEach((b, i) => {
    for (const item of b.items ?? []) seedItem(store, boards[i]!, item, null, ctx);
  });
  return boards;
}

function seedItem(store: Store, board: Board, init: SeedItem, parentId: string | null, ctx: Omit<WriteContext, 'createLabels'>): void {
  const group = (init.group_id && board.groups.find((g) => g.id === init.group_id)) || store.activeGroups(board)[0];
  if (!group) throw new Error(`board ${board.id} has no group for item ${init.name}`);
  const item = store.addItem(board, { id: init.id, name: init.name, groupId: group.id, parentId });
  for (const [columnId, raw] of Object.entries(init.column_values ?? {})) {
    const column = store.column(board, columnId);
    if (!column) throw new Error(`item ${init.name}: board ${board.id} has no column ${columnId}`);
    const parsed = parseWrite(column, raw, 'json', { ...ctx, createLabels: true });
    if (parsed) store.setCell(item, column, { data: parsed.data, changedAt: isoNow() });
  }
  if (init.subitems?.length) {
    const subBoard = subitemsBoardOf(store, board);
    if (!subBoard) throw new Error(`board ${board.id} has no subitems board for ${init.name}'s subitems`);
    for (const s of init.subitems) seedItem(store, subBoard, s, item.id, ctx);
  }
}

export function subitemsBoardOf(store: Store, board: Board): Board | undefined {
  const col = board.columns.find((c) => c.type === 'subtasks');
  const id = (col?.settings.boardIds as unknown[] | undefined)?.[0];
  return id === undefined ? undefined : store.boards.get(String(id));
}

/** Everything, ids and timestamps included, for `GET /__emulator/state` and `statePath`. */
export interface StateFile {
  format: 'ordersync-emulator-state';
  version: 1;
  counters: { lastId: number; shortSeq: number };
  boards: Array<Omit<Board, 'items' | 'index'>>;
  items: Array<{
    id: string;
    board_id: string;
    group_id: string;
    name: string;
    state: ItemState;
    created_at: string;
    updated_at: string;
    parent_id: string | null;
    values: Record<string, { data: unknown; changed_at: string }>;
  }>;
}

export type BoardRecord = StateFile['boards'][number];
export type ItemRecord = StateFile['items'][number];

export function boardRecord({ items: _items, index: _index, ...rest }: Board): BoardRecord {
  return structuredClone(rest);
}

export function itemRecord(i: Item): ItemRecord {
  return {
    id: i.id,
    board_id: i.boardId,
    group_id: i.groupId,
    name: i.name,
    state: i.state,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    parent_id: i.parentId,
    values: Object.fromEntries([...i.values].map(([k, c]) => [k, { data: c.data, changed_at: c.changedAt }])),
  };
}

export function dumpState(store: Store): StateFile {
  const boards = [...store.boards.values()].map(boardRecord);
  const items = [...store.items.values()].sort((a, b) => Number(a.id) - Number(b.id)).map(itemRecord);
  return { format: 'ordersync-emulator-state', version: 1, counters: store.counters(), boards, items };
}

export function loadState(store: Store, state: StateFile): void {
  if (state.format !== 'ordersync-emulator-state' || state.version !== 1) throw new Error('not an ordersync emulator state file (version 1)');
  store.clear();
  for (const b of state.boards) {
    const board = store.addBoard({ id: b.id, name: b.name, kind: b.kind, type: b.type, description: b.description, itemsLimit: b.itemsLimit, parentBoardId: b.parentBoardId });
    Object.assign(board, { createdAt: b.createdAt, updatedAt: b.updatedAt, columns: b.columns, groups: b.groups });
  }
  for (const s of state.items) {
    const board = store.boards.get(s.board_id);
    if (!board) throw new Error(`state file: item ${s.id} is on unknown board ${s.board_id}`);
    const item = store.addItem(board, { id: s.id, name: s.name, groupId: s.group_id, parentId: s.parent_id });
    for (const [columnId, v] of Object.entries(s.values)) {
      const column = store.column(board, columnId);
      if (column) store.setCell(item, column, { data: v.data, changedAt: v.changed_at });
    }
    Object.assign(item, { state: s.state, createdAt: s.created_at, updatedAt: s.updated_at });
  }
  store.restoreCounters(state.counters);
}
