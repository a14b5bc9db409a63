import { indexKeys } from './columns/values.js';
import { isoNow } from './clock.js';

export type ItemState = 'active' | 'archived' | 'deleted';
export type BoardKind = 'public' | 'private' | 'share';
export type BoardType = 'board' | 'sub_items_board';

export interface ColumnDef {
  id: string;
  title: string;
  type: string;
  description: string | null;
  /** What `Column.settings` returns: labels for status/dropdown, `boardIds` for subtasks. */
  settings: Record<string, unknown>;
  archived: boolean;
  width: number | null;
  revision: number;
}

export interface Group {
  id: string;
  title: string;
  color: string;
  position: number;
  archived: boolean;
  deleted: boolean;
}

/** A stored column value: the write's canonical JSON (what `value` shows, minus changed_at). */
export interface Cell {
  data: unknown;
  changedAt: string;
}

export interface Item {
  id: string;
  boardId: string;
  groupId: string;
  name: string;
  state: ItemState;
  createdAt: string;
  updatedAt: string;
  creatorId: string;
  parentId: string | null;
  subitemIds: string[];
  values: Map<string, Cell>;
}

export interface Board {
  id: string;
  name: string;
  description: string | null;
  kind: BoardKind;
  type: BoardType;
  createdAt: string;
  updatedAt: string;
  columns: ColumnDef[];
  groups: Group[];
  /** Insertion order is creation order, which is the default page order. */
  items: Map<string, Item>;
  itemsLimit: number;
  parentBoardId: string | null;
  /** column id → lower-cased whole value → item ids, for items_page_by_column_values. */
  index: Map<string, Map<string, Set<string>>>;
}

/** IDs are numeric strings from a high base so clients never get away with small integers. */
export const ID_BASE = 9_000_000_000;

export class Store {
  readonly boards = new Map<string, Board>();
  readonly items = new Map<string, Item>();
  private lastId = ID_BASE;
  private shortSeq = 0;
  /** Items created or changed since persistence last took them (the journal writes those). */
  private changed = new Set<string>();
  /** Bumped by clear(): persistence then rewrites the whole state instead of journaling. */
  generation = 0;

  constructor(
    readonly userId: string,
    readonly defaultItemsLimit: number,
  ) {}

  nextId(): string {
    this.lastId += 1;
    return String(this.lastId);
  }

  /** Keeps generated ids above any id a fixture or state file declared. */
  reserveId(id: string): void {
    const n = Number(id);
    if (Number.isSafeInteger(n) && n > this.lastId) this.lastId = n;
  }

  /** Short unique suffix for generated group and column ids, shaped like monday's (`group_mkr5…`). */
  shortId(prefix: string): string {
    this.shortSeq += 1;
    return `${prefix}_mk${(ID_BASE + this.shortSeq).toString(36)}`;
  }

  addBoard(init: Pick<Board, 'name' | 'kind' | 'type'> & Partial<Pick<Board, 'id' | 'description' | 'itemsLimit' | 'parentBoardId'>>): Board {
    const id = init.id ?? this.nextId();
    this.reserveId(id);
    const now = isoNow();
    const board: Board = {
      id,
      name: init.name,
      description: init.description ?? null,
      kind: init.kind,
      type: init.type,
      createdAt: now,
      updatedAt: now,
      columns: [],
      groups: [],
      items: new Map(),
      itemsLimit: init.itemsLimit ?? this.defaultItemsLimit,
      parentBoardId: init.parentBoardId ?? null,
      index: new Map(),
    };
    this.boards.set(id, board);
    return board;
  }

  column(board: Board, columnId: string): ColumnDef | undefined {
    return board.columns.find((c) => c.id === columnId);
  }

  activeGroups(board: Board): Group[] {
    return board.groups.filter((g) => !g.deleted && !g.archived).sort((a, b) => a.position - b.position);
  }

  /** New groups go to the top unless placed; positions are spaced like monday's ("65536"). */
  addGroup(
    board: Board,
    init: { id?: string; title: string; color?: string },
    place: { at: 'top' | 'bottom' } | { before: Group } | { after: Group } = { at: 'top' },
  ): Group {
    const live = this.activeGroups(board);
    const STEP = 65_536;
    let position: number;
    if ('at' in place) {
      position = live.length === 0 ? STEP : place.at === 'top' ? live[0]!.position - STEP : live[live.length - 1]!.position + STEP;
    } else {
      const anchor = 'before' in place ? place.before : place.after;
      const i = live.indexOf(anchor);
      const neighbour = 'before' in place ? live[i - 1] : live[i + 1];
      const fallback = 'before' in place ? anchor.position - STEP : anchor.position + STEP;
      position = neighbour ? (anchor.position + neighbour.position) / 2 : fallback;
    }
    const group: Group = {
      id: init.id ?? this.shortId('group'),
      title: init.title,
      color: init.color ?? '#579bfc',
      position,
      archived: false,
      deleted: false,
    };
    board.groups.push(group);
    return group;
  }

  addItem(board: Board, init: { id?: string; name: string; groupId: string; parentId?: string | null }): Item {
    const id = init.id ?? this.nextId();
    this.reserveId(id);
    const now = isoNow();
    const item: Item = {
      id,
      boardId: board.id,
      groupId: init.groupId,
      name: init.name,
      state: 'active',
      createdAt: now,
      updatedAt: now,
      creatorId: this.userId,
      parentId: init.parentId ?? null,
      subitemIds: [],
      values: new Map(),
    };
    board.items.set(id, item);
    this.items.set(id, item);
    this.changed.add(id);
    this.indexAdd(board, 'name', item.name, id);
    if (item.parentId) this.items.get(item.parentId)?.subitemIds.push(id);
    return item;
  }

  rename(item: Item, name: string): void {
    const board = this.boardOf(item);
    this.indexRemove(board, 'name', item.name, item.id);
    item.name = name;
    this.indexAdd(board, 'name', name, item.id);
    this.touch(item);
  }

  moveToGroup(item: Item, groupId: string): void {
    item.groupId = groupId;
    this.touch(item);
  }

  /** Sets (or, with undefined, clears) one column value, keeping the lookup index in step. */
  setCell(item: Item, column: ColumnDef, cell: Cell | undefined): void {
    const board = this.boardOf(item);
    for (const key of indexKeys(column, item.values.get(column.id))) this.indexRemove(board, column.id, key, item.id);
    if (cell === undefined) item.values.delete(column.id);
    else {
      item.values.set(column.id, cell);
      for (const key of indexKeys(column, cell)) this.indexAdd(board, column.id, key, item.id);
    }
    this.touch(item);
  }

  /** Archiving and deleting cascade to subitems, as monday does. */
  setState(item: Item, state: ItemState): void {
    item.state = state;
    this.touch(item);
    for (const sid of item.subitemIds) {
      const sub = this.items.get(sid);
      if (sub && sub.state !== 'deleted') this.setState(sub, state);
    }
  }

  boardOf(item: Item): Board {
    const board = this.boards.get(item.boardId);
    if (!board) throw new Error(`item ${item.id} points at missing board ${item.boardId}`);
    return board;
  }

  /** Item ids whose whole value in `columnId` equals `value`, case-insensitively. */
  lookup(board: Board, columnId: string, value: string): ReadonlySet<string> {
    return board.index.get(columnId)?.get(value.toLowerCase()) ?? new Set();
  }

  /** Id counters, so a saved state resumes without reusing ids. */
  counters(): { lastId: number; shortSeq: number } {
    return { lastId: this.lastId, shortSeq: this.shortSeq };
  }

  restoreCounters(c: { lastId: number; shortSeq: number }): void {
    this.lastId = Math.max(this.lastId, c.lastId);
    this.shortSeq = Math.max(this.shortSeq, c.shortSeq);
  }

  /** Ids of the items created or changed since the last call. */
  takeChanged(): string[] {
    const ids = [...this.changed];
    this.changed.clear();
    return ids;
  }

  clear(): void {
    this.boards.clear();
    this.items.clear();
    this.changed.clear();
    this.lastId = ID_BASE;
    this.shortSeq = 0;
    this.generation += 1;
  }

  private touch(item: Item): void {
    item.updatedAt = isoNow();
    this.changed.add(item.id);
  }

  private indexAdd(board: Board, columnId: string, key: string, itemId: string): void {
    let byValue = board.index.get(columnId);
    if (!byValue) board.index.set(columnId, (byValue = new Map()));
    const k = key.toLowerCase();
    let ids = byValue.get(k);
    if (!ids) byValue.set(k, (ids = new Set()));
    ids.add(itemId);
  }

  private indexRemove(board: Board, columnId: string, key: string, itemId: string): void {
    const byValue = board.index.get(columnId);
    const k = key.toLowerCase();
    const ids = byValue?.get(k);
    if (!ids) return;
    ids.delete(itemId);
    if (ids.size === 0) byValue!.delete(k);
  }
}
