import { isoNow } from './clock.js';
import { normalizeLabels } from './columns/labels.js';
import { parseWrite, type Parsed } from './columns/values.js';
import { apiErrors } from './errors.js';
import type { Jobs } from './jobs.js';
import type { Board, ColumnDef, Item } from './model.js';
import { isSupportedColumnType, makeColumn, subitemsBoardOf } from './seed.js';
import { BoardView, ColumnView, GroupView, ItemView, ItemsResponseView, type ApiContext } from './views.js';

export interface ComplexityReport {
  before: number;
  query: number;
  after: number;
  reset_in_x_seconds: number;
}

export interface VersionInfo {
  value: string;
  kind: string;
  display_name: string;
}

export interface RequestContext extends ApiContext {
  jobs: Jobs;
  complexity: ComplexityReport;
  version: VersionInfo;
  versions: VersionInfo[];
  me: { id: string; name: string; email: string; account_id: string };
  people: ReadonlySet<string>;
  /** Called at the start of every mutation field: counts it, and fails it if a fault says so. */
  beforeMutation(): void;
}

const MAX_ITEMS_BY_ID = 100;
const MAX_NAME = 255;

function board(ctx: RequestContext, id: string): Board {
  const b = ctx.store.boards.get(String(id));
  if (!b) throw apiErrors.boardNotFound(String(id));
  return b;
}

function liveItem(ctx: RequestContext, id: string | null | undefined, onBoard?: Board): Item {
  const item = id === null || id === undefined ? undefined : ctx.store.items.get(String(id));
  if (!item || item.state === 'deleted' || (onBoard && item.boardId !== onBoard.id)) throw apiErrors.itemNotFound(String(id));
  return item;
}

function checkName(name: string): void {
  if (name.length < 1 || name.length > MAX_NAME) throw apiErrors.itemName(name.length);
}

function parseJsonObject(raw: string, argument: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw apiErrors.jsonParse(argument);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw apiErrors.jsonParse(argument);
  return parsed as Record<string, unknown>;
}

interface PreparedWrite {
  name?: string;
  cells: Array<[ColumnDef, Parsed]>;
}

/** Validates every key before anything is written, so a refused mutation changes nothing. */
function prepare(ctx: RequestContext, b: Board, values: Record<string, unknown>, createLabels: boolean): PreparedWrite {
  const out: PreparedWrite = { cells: [] };
  const wctx = { createLabels, knownPeople: ctx.people, itemExists: (id: string) => ctx.store.items.has(id) };
  for (const [key, raw] of Object.entries(values)) {
    if (key === 'name') {
      const name = typeof raw === 'object' && raw !== null ? (raw as { name?: unknown }).name : raw;
      if (typeof name !== 'string') throw apiErrors.columnValue('name', 'name', raw);
      checkName(name);
      out.name = name;
      continue;
    }
    const column = ctx.store.column(b, key);
    if (!column) throw apiErrors.columnNotFound(key);
    out.cells.push([column, parseWrite(column, raw, 'json', wctx)]);
  }
  return out;
}

/** Writes a prepared change; `logged` (every write but a create's own values) records it in the board's activity log. */
function commit(ctx: RequestContext, item: Item, w: PreparedWrite, logged = true): void {
  if (w.name !== undefined) {
    const previous = item.name;
    ctx.store.rename(item, w.name);
    if (logged && previous !== w.name) ctx.activity.record(item, 'update_name', ctx.me, { value: w.name, previous });
  }
  const changedAt = isoNow();
  for (const [column, parsed] of w.cells) {
    const previous = item.values.get(column.id)?.data;
    ctx.store.setCell(item, column, parsed ? { data: parsed.data, changedAt } : undefined);
    if (logged) ctx.activity.record(item, 'update_column_value', ctx.me, { column, value: parsed?.data ?? null, previous });
  }
}

function createItemOn(ctx: RequestContext, b: Board, name: string, groupId: string | null | undefined, columnValues: string | null | undefined, createLabels: boolean, parentId: string | null): Item {
  checkName(name);
  const group = groupId ? b.groups.find((g) => g.id === groupId && !g.deleted) : ctx.store.activeGroups(b)[0];
  if (!group) throw apiErrors.groupNotFound(groupId ?? 'topics');
  // Archived and deleted items still count against the limit until monday purges them.
  if (b.items.size >= b.itemsLimit) throw apiErrors.itemsLimit(b.id, b.itemsLimit);
  const w = prepare(ctx, b, columnValues ? parseJsonObject(columnValues, 'column_values') : {}, createLabels);
  const item = ctx.store.addItem(b, { name, groupId: group.id, parentId });
  commit(ctx, item, w, false);
  ctx.activity.record(item, 'create_pulse', ctx.me);
  return item;
}

/**
 * The first subitem under a board creates its subitems board and subtasks column, which is
 * what monday does when a board gets its first subitem.
 */
function ensureSubitemsBoard(ctx: RequestContext, parentBoard: Board): Board {
  const existing = subitemsBoardOf(ctx.store, parentBoard);
  if (existing) return existing;
  const sub = ctx.store.addBoard({ name: `Subitems of ${parentBoard.name}`, kind: parentBoard.kind, type: 'sub_items_board', parentBoardId: parentBoard.id });
  sub.columns.push(makeColumn(ctx.store, { id: 'name', title: 'Name', type: 'name' }));
  ctx.store.addGroup(sub, { id: 'topics', title: 'Subitems' });
  parentBoard.columns.push(
    makeColumn(ctx.store, { id: ctx.store.shortId('subtasks'), title: 'Subitems', type: 'subtasks', settings: { allowMultipleItems: true, itemTypeName: 'item', boardIds: [Number(sub.id)] } }),
  );
  return sub;
}

const COLUMN_ID_RE = /^[a-z0-9_]{1,20}$/;

export const rootValue = {
  // ---- queries
  boards(args: { ids?: string[] | null; limit?: number | null; page?: number | null; state?: string | null; board_kind?: string | null }, ctx: RequestContext) {
    let list = args.ids
      ? args.ids.map((id) => ctx.store.boards.get(String(id))).filter((b): b is Board => b !== undefined)
      : [...ctx.store.boards.values()].filter((b) => b.type === 'board');
    if (args.state === 'archived' || args.state === 'deleted') list = [];
    if (args.board_kind) list = list.filter((b) => b.kind === args.board_kind);
    const limit = args.limit ?? 25;
    const page = Math.max(1, args.page ?? 1);
    return list.slice((page - 1) * limit, page * limit).map((b) => new BoardView(ctx, b));
  },

  items(args: { ids?: string[] | null; limit?: number | null; page?: number | null; newest_first?: boolean | null; exclude_nonactive?: boolean | null }, ctx: RequestContext) {
    if (!args.ids) return [];
    if (args.ids.length > MAX_ITEMS_BY_ID) {
      throw apiErrors.invalidArgument(`items accepts at most ${MAX_ITEMS_BY_ID} ids`, { ids_count: args.ids.length });
    }
    let list = args.ids.map((id) => ctx.store.items.get(String(id))).filter((i): i is Item => i !== undefined);
    if (args.exclude_nonactive) list = list.filter((i) => i.state === 'active');
    if (args.newest_first) list = [...list].sort((a, b) => Number(b.id) - Number(a.id));
    const limit = Math.min(args.limit ?? 25, MAX_ITEMS_BY_ID);
    const page = Math.max(1, args.page ?? 1);
    return list.slice((page - 1) * limit, page * limit).map((i) => new ItemView(ctx, i));
  },

  next_items_page(args: { cursor: string; limit: number }, ctx: RequestContext) {
    return new ItemsResponseView(ctx, ctx.cursors.next(ctx.store, args.cursor, args.limit));
  },

  items_page_by_column_values(
    args: { board_id: string; columns?: Array<{ column_id: string; column_values: Array<string | null> }> | null; cursor?: string | null; limit: number },
    ctx: RequestContext,
  ) {
    const b = board(ctx, args.board_id);
    if (args.cursor) {
      if (args.columns) throw apiErrors.invalidArgument('cursor and columns cannot be used together');
      return new ItemsResponseView(ctx, ctx.cursors.next(ctx.store, args.cursor, args.limit));
    }
    let matched: Set<string> | undefined;
    for (const rule of args.columns ?? []) {
      const column = rule.column_id === 'name' ? undefined : ctx.store.column(b, rule.column_id);
      if (rule.column_id !== 'name' && !column) throw apiErrors.columnNotFound(rule.column_id);
      if (column && !['text', 'long_text', 'numbers', 'date', 'status', 'dropdown', 'link', 'checkbox'].includes(column.type)) {
        throw apiErrors.invalidArgument(`items_page_by_column_values does not support ${column.type} columns`, { column_id: column.id });
      }
      const hits = new Set<string>();
      for (const v of rule.column_values) for (const id of ctx.store.lookup(b, rule.column_id, v ?? '')) hits.add(id);
      matched = matched ? new Set([...matched].filter((id) => hits.has(id))) : hits;
    }
    const ids = [...(matched ?? b.items.keys())]
      .filter((id) => ctx.store.items.get(id)?.state === 'active')
      .sort((x, y) => Number(x) - Number(y));
    return new ItemsResponseView(ctx, ctx.cursors.first(ctx.store, ids, args.limit));
  },

  complexity(_args: unknown, ctx: RequestContext) {
    return ctx.complexity;
  },

  me(_args: unknown, ctx: RequestContext) {
    return ctx.me;
  },

  version(_args: unknown, ctx: RequestContext) {
    return ctx.version;
  },

  versions(_args: unknown, ctx: RequestContext) {
    return ctx.versions;
  },

  job_status(args: { job_id: string }, ctx: RequestContext) {
    const job = ctx.jobs.get(String(args.job_id));
    if (!job) throw apiErrors.invalidArgument('Job not found', { job_id: args.job_id });
    return { id: job.id, status: job.status, created_at: job.createdAt, updated_at: job.updatedAt, error: null };
  },

  // ---- mutations
  create_board(args: { board_name: string; board_kind: 'public' | 'private' | 'share'; description?: string | null }, ctx: RequestContext) {
    ctx.beforeMutation();
    const b = ctx.store.addBoard({ name: args.board_name, kind: args.board_kind, type: 'board', description: args.description ?? null });
    b.columns.push(makeColumn(ctx.store, { id: 'name', title: 'Name', type: 'name' }));
    ctx.store.addGroup(b, { id: 'topics', title: 'Group Title' });
    return new BoardView(ctx, b);
  },

  create_column(
    args: { board_id: string; id?: string | null; title: string; description?: string | null; after_column_id?: string | null; defaults?: string | null; column_type: string },
    ctx: RequestContext,
  ) {
    ctx.beforeMutation();
    const b = board(ctx, args.board_id);
    if (!isSupportedColumnType(args.column_type) || args.column_type === 'name' || args.column_type === 'subtasks') {
      throw apiErrors.unsupportedByEmulator(`Creating a ${args.column_type} column`);
    }
    if (args.id !== null && args.id !== undefined) {
      if (!COLUMN_ID_RE.test(args.id)) throw apiErrors.invalidArgument('Column id must be 1-20 characters of a-z, 0-9 and _', { column_id: args.id });
      if (ctx.store.column(b, args.id)) throw apiErrors.invalidArgument('A column with this id already exists', { column_id: args.id });
    }
    const defaults = args.defaults ? parseJsonObject(args.defaults, 'defaults') : {};
    const settings: Record<string, unknown> = { ...defaults };
    if (args.column_type === 'status' || args.column_type === 'dropdown') {
      settings.labels = defaults.labels ?? (args.column_type === 'status' ? { 0: 'Working on it', 1: 'Done', 2: 'Stuck' } : []);
      settings.labels = normalizeLabels(args.column_type, settings.labels);
    }
    const prefix = { numbers: 'numeric', status: 'color', checkbox: 'boolean', people: 'multiple_person' }[args.column_type] ?? args.column_type;
    const column = makeColumn(ctx.store, { id: args.id ?? ctx.store.shortId(prefix), title: args.title, type: args.column_type, settings, description: args.description });
    const after = args.after_column_id ? b.columns.findIndex((c) => c.id === args.after_column_id) : -1;
    if (after >= 0) b.columns.splice(after + 1, 0, column);
    else b.columns.push(column);
    return new ColumnView(column);
  },

  create_group(args: { board_id: string; group_name: string; group_color?: string | null; relative_to?: string | null; position_relative_method?: 'before_at' | 'after_at' | null }, ctx: RequestContext) {
    ctx.beforeMutation();
    const b = board(ctx, args.board_id);
    if (args.group_name.length > MAX_NAME) throw apiErrors.invalidArgument('Group name must be at most 255 characters');
    let place: Parameters<typeof ctx.store.addGroup>[2];
    if (args.relative_to) {
      const anchor = ctx.store.activeGroups(b).find((g) => g.id === args.relative_to);
      if (!anchor) throw apiErrors.groupNotFound(args.relative_to);
      place = args.position_relative_method === 'before_at' ? { before: anchor } : { after: anchor };
    } else {
      // monday's odd default: without relative_to, before_at means bottom and after_at top.
      place = { at: args.position_relative_method === 'before_at' ? 'bottom' : 'top' };
    }
    const g = ctx.store.addGroup(b, { title: args.group_name, color: args.group_color ?? undefined }, place);
    return new GroupView(ctx, b, g);
  },

  archive_group(args: { board_id: string; group_id: string }, ctx: RequestContext) {
    ctx.beforeMutation();
    const b = board(ctx, args.board_id);
    const live = ctx.store.activeGroups(b);
    const g = live.find((x) => x.id === args.group_id);
    if (!g) throw apiErrors.groupNotFound(args.group_id);
    if (live.length === 1) throw apiErrors.lastGroup(args.group_id);
    g.archived = true;
    // Archiving a group archives the items in it, as monday does.
    for (const item of b.items.values()) {
      if (item.groupId !== g.id || item.state !== 'active') continue;
      ctx.store.setState(item, 'archived');
      ctx.activity.record(item, 'archive_pulse', ctx.me);
    }
    return new GroupView(ctx, b, g);
  },

  create_item(args: { board_id: string; item_name: string; group_id?: string | null; column_values?: string | null; create_labels_if_missing?: boolean | null }, ctx: RequestContext) {
    ctx.beforeMutation();
    const b = board(ctx, args.board_id);
    return new ItemView(ctx, createItemOn(ctx, b, args.item_name, args.group_id, args.column_values, args.create_labels_if_missing ?? false, null));
  },

  create_subitem(args: { parent_item_id: string; item_name: string; column_values?: string | null; create_labels_if_missing?: boolean | null }, ctx: RequestContext) {
    ctx.beforeMutation();
    const parent = liveItem(ctx, args.parent_item_id);
    const sub = ensureSubitemsBoard(ctx, ctx.store.boardOf(parent));
    return new ItemView(ctx, createItemOn(ctx, sub, args.item_name, null, args.column_values, args.create_labels_if_missing ?? false, parent.id));
  },

  change_multiple_column_values(args: { board_id: string; item_id?: string | null; column_values: string; create_labels_if_missing?: boolean | null }, ctx: RequestContext) {
    ctx.beforeMutation();
    const b = board(ctx, args.board_id);
    const item = liveItem(ctx, args.item_id, b);
    commit(ctx, item, prepare(ctx, b, parseJsonObject(args.column_values, 'column_values'), args.create_labels_if_missing ?? false));
    return new ItemView(ctx, item);
  },

  change_column_value(args: { board_id: string; item_id?: string | null; column_id: string; value: string; create_labels_if_missing?: boolean | null }, ctx: RequestContext) {
    ctx.beforeMutation();
    const b = board(ctx, args.board_id);
    const item = liveItem(ctx, args.item_id, b);
    let value: unknown;
    try {
      value = JSON.parse(args.value);
    } catch {
      throw apiErrors.jsonParse('value');
    }
    commit(ctx, item, prepare(ctx, b, { [args.column_id]: value }, args.create_labels_if_missing ?? false));
    return new ItemView(ctx, item);
  },

  change_simple_column_value(args: { board_id: string; item_id?: string | null; column_id: string; value?: string | null; create_labels_if_missing?: boolean | null }, ctx: RequestContext) {
    ctx.beforeMutation();
    const b = board(ctx, args.board_id);
    const item = liveItem(ctx, args.item_id, b);
    const column = ctx.store.column(b, args.column_id);
    if (!column) throw apiErrors.columnNotFound(args.column_id);
    if (column.type === 'name') throw apiErrors.columnValue(column.id, column.type, args.value, 'invalid value - change_simple_column_value cannot rename an item');
    const wctx = { createLabels: args.create_labels_if_missing ?? false, knownPeople: ctx.people, itemExists: (id: string) => ctx.store.items.has(id) };
    // A simple "" clears every type except numbers, where it means 0 (parseWrite's rule).
    const parsed = args.value === '' && column.type !== 'numbers' ? null : parseWrite(column, args.value ?? null, 'simple', wctx);
    commit(ctx, item, { cells: [[column, parsed]] });
    return new ItemView(ctx, item);
  },

  move_item_to_group(args: { item_id?: string | null; group_id: string }, ctx: RequestContext) {
    ctx.beforeMutation();
    const item = liveItem(ctx, args.item_id);
    const b = ctx.store.boardOf(item);
    if (!b.groups.some((g) => g.id === args.group_id && !g.deleted)) throw apiErrors.groupNotFound(args.group_id);
    const from = item.groupId;
    ctx.store.moveToGroup(item, args.group_id);
    if (from !== args.group_id) ctx.activity.record(item, 'move_pulse_into_group', ctx.me, { from_group: from });
    return new ItemView(ctx, item);
  },

  archive_item(args: { item_id?: string | null }, ctx: RequestContext) {
    ctx.beforeMutation();
    const item = liveItem(ctx, args.item_id);
    ctx.store.setState(item, 'archived');
    ctx.activity.record(item, 'archive_pulse', ctx.me);
    return new ItemView(ctx, item);
  },

  delete_item(args: { item_id?: string | null }, ctx: RequestContext) {
    ctx.beforeMutation();
    const item = liveItem(ctx, args.item_id);
    ctx.store.setState(item, 'deleted');
    ctx.activity.record(item, 'delete_pulse', ctx.me);
    return new ItemView(ctx, item);
  },

  bulk_archive_items(args: { board_id: string; item_ids: string[] }, ctx: RequestContext) {
    ctx.beforeMutation();
    const b = board(ctx, args.board_id);
    const archived: string[] = [];
    for (const id of args.item_ids) {
      const item = b.items.get(String(id));
      if (item?.state === 'active') {
        ctx.store.setState(item, 'archived');
        ctx.activity.record(item, 'archive_pulse', ctx.me);
        archived.push(item.id);
      }
    }
    return { job_id: ctx.jobs.add(ctx.store.nextId(), archived).id };
  },

  undo_action(args: { job_id: string }, ctx: RequestContext) {
    ctx.beforeMutation();
    const job = ctx.jobs.get(String(args.job_id));
    if (!job) return { success: false, message: 'Job not found' };
    if (job.status === 'CANCELLED') return { success: false, message: 'Job was already undone' };
    if (!ctx.jobs.undoable(job)) return { success: false, message: 'This action can no longer be undone' };
    for (const id of job.itemIds) {
      const item = ctx.store.items.get(id);
      if (item?.state !== 'archived') continue;
      ctx.store.setState(item, 'active');
      ctx.activity.record(item, 'restore_pulse', ctx.me);
    }
    job.status = 'CANCELLED';
    job.updatedAt = isoNow();
    return { success: true, message: `Restored ${job.itemIds.length} items` };
  },
};
