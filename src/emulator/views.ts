import { activityView, type ActivityLog, type ActivityQuery } from './activity.js';
import { legacySettingsString, labelById } from './columns/labels.js';
import { cellText, cellValueJson } from './columns/values.js';
import type { Cursors, Page } from './cursors.js';
import { apiErrors } from './errors.js';
import { queryItems, type ItemsQuery } from './items-query.js';
import type { Board, Cell, ColumnDef, Group, Item, Store } from './model.js';

/** What every resolver can reach. Built per request. */
export interface ApiContext {
  store: Store;
  cursors: Cursors;
  baseUrl: string;
  activity: ActivityLog;
}

/*
 * graphql-js's default resolver reads a property or calls a method (with args, context),
 * so read models are thin classes over the store: nothing is computed unless selected.
 */

interface PageArgs {
  cursor?: string | null;
  limit: number;
  query_params?: ItemsQuery | null;
}

export function itemsPage(ctx: ApiContext, board: Board, args: PageArgs, groupId?: string): ItemsResponseView {
  if (args.cursor && args.query_params) {
    throw apiErrors.invalidArgument('cursor and query_params cannot be used together');
  }
  const page = args.cursor
    ? ctx.cursors.next(ctx.store, args.cursor, args.limit)
    : ctx.cursors.first(ctx.store, queryItems(ctx.store, board, args.query_params, groupId), args.limit);
  return new ItemsResponseView(ctx, page);
}

export class ItemsResponseView {
  constructor(
    private readonly ctx: ApiContext,
    private readonly page: Page,
  ) {}
  get cursor() {
    return this.page.cursor;
  }
  get items() {
    return this.page.items.map((i) => new ItemView(this.ctx, i));
  }
}

export class BoardView {
  constructor(
    private readonly ctx: ApiContext,
    readonly b: Board,
  ) {}
  get id() {
    return this.b.id;
  }
  get name() {
    return this.b.name;
  }
  get description() {
    return this.b.description;
  }
  get state() {
    return 'active';
  }
  get board_kind() {
    return this.b.kind;
  }
  get type() {
    return this.b.type;
  }
  get url() {
    return `${this.ctx.baseUrl}/boards/${this.b.id}`;
  }
  get created_at() {
    return this.b.createdAt;
  }
  get updated_at() {
    return this.b.updatedAt;
  }
  get workspace_id() {
    return null;
  }
  get items_count() {
    let n = 0;
    for (const i of this.b.items.values()) if (i.state === 'active') n++;
    return n;
  }
  get items_limit() {
    return this.b.itemsLimit;
  }
  columns(args: { ids?: string[] | null; types?: string[] | null }) {
    return this.b.columns
      .filter((c) => (!args.ids || args.ids.includes(c.id)) && (!args.types || args.types.includes(c.type)))
      .map((c) => new ColumnView(c));
  }
  groups(args: { ids?: string[] | null }) {
    return this.ctx.store
      .activeGroups(this.b)
      .filter((g) => !args.ids || args.ids.includes(g.id))
      .map((g) => new GroupView(this.ctx, this.b, g));
  }
  get top_group() {
    const g = this.ctx.store.activeGroups(this.b)[0];
    if (!g) throw apiErrors.groupNotFound('top_group');
    return new GroupView(this.ctx, this.b, g);
  }
  activity_logs(args: ActivityQuery) {
    return this.ctx.activity.query(this.b.id, args).map(activityView);
  }
  items_page(args: PageArgs) {
    return itemsPage(this.ctx, this.b, args);
  }
}

export class GroupView {
  constructor(
    private readonly ctx: ApiContext,
    private readonly board: Board,
    private readonly g: Group,
  ) {}
  get id() {
    return this.g.id;
  }
  get title() {
    return this.g.title;
  }
  get color() {
    return this.g.color;
  }
  get position() {
    return String(this.g.position);
  }
  get archived() {
    return this.g.archived;
  }
  get deleted() {
    return this.g.deleted;
  }
  items_page(args: PageArgs) {
    return itemsPage(this.ctx, this.board, args, this.g.id);
  }
}

export class ColumnView {
  constructor(private readonly c: ColumnDef) {}
  get id() {
    return this.c.id;
  }
  get title() {
    return this.c.title;
  }
  get description() {
    return this.c.description;
  }
  get type() {
    return this.c.type;
  }
  get width() {
    return this.c.width;
  }
  get archived() {
    return this.c.archived;
  }
  get settings() {
    return this.c.settings;
  }
  get settings_str() {
    return legacySettingsString(this.c);
  }
  get revision() {
    return String(this.c.revision);
  }
}

export class ItemView {
  constructor(
    private readonly ctx: ApiContext,
    readonly i: Item,
  ) {}
  get id() {
    return this.i.id;
  }
  get name() {
    return this.i.name;
  }
  get state() {
    return this.i.state;
  }
  get created_at() {
    return this.i.createdAt;
  }
  get updated_at() {
    return this.i.updatedAt;
  }
  get creator_id() {
    return this.i.creatorId;
  }
  get url() {
    return `${this.ctx.baseUrl}/boards/${this.i.boardId}/pulses/${this.i.id}`;
  }
  get relative_link() {
    return `/boards/${this.i.boardId}/pulses/${this.i.id}`;
  }
  get board() {
    return new BoardView(this.ctx, this.ctx.store.boardOf(this.i));
  }
  get group() {
    const board = this.ctx.store.boardOf(this.i);
    const g = board.groups.find((x) => x.id === this.i.groupId);
    return g ? new GroupView(this.ctx, board, g) : null;
  }
  get parent_item(): ItemView | null {
    const p = this.i.parentId ? this.ctx.store.items.get(this.i.parentId) : undefined;
    return p ? new ItemView(this.ctx, p) : null;
  }
  get subitems() {
    return activeSubitems(this.ctx.store, this.i).map((s) => new ItemView(this.ctx, s));
  }
  column_values(args: { ids?: string[] | null; types?: string[] | null }) {
    const board = this.ctx.store.boardOf(this.i);
    return board.columns
      .filter((c) => c.type !== 'name' && (!args.ids || args.ids.includes(c.id)) && (!args.types || args.types.includes(c.type)))
      .map((c) => new ColumnValueView(this.ctx, this.i, c));
  }
}

function activeSubitems(store: Store, item: Item): Item[] {
  return item.subitemIds.map((id) => store.items.get(id)).filter((s): s is Item => s?.state === 'active');
}

const TYPENAMES: Record<string, string> = {
  text: 'TextValue',
  long_text: 'LongTextValue',
  numbers: 'NumbersValue',
  date: 'DateValue',
  status: 'StatusValue',
  dropdown: 'DropdownValue',
  checkbox: 'CheckboxValue',
  link: 'LinkValue',
  people: 'PeopleValue',
  mirror: 'MirrorValue',
  formula: 'FormulaValue',
  item_id: 'ItemIdValue',
  last_updated: 'LastUpdatedValue',
  subtasks: 'SubtasksValue',
  board_relation: 'BoardRelationValue',
};

/** One cell, answering the fields of every ColumnValue implementation its type might be asked. */
export class ColumnValueView {
  private readonly cell: Cell | undefined;
  private readonly d: any;
  constructor(
    private readonly ctx: ApiContext,
    private readonly item: Item,
    private readonly c: ColumnDef,
  ) {
    this.cell = item.values.get(c.id);
    this.d = this.cell?.data;
  }
  get __typename() {
    return TYPENAMES[this.c.type];
  }
  get id() {
    return this.c.id;
  }
  get type() {
    return this.c.type;
  }
  get is_leaf() {
    return true;
  }
  get column() {
    return new ColumnView(this.c);
  }
  get text() {
    switch (this.c.type) {
      case 'item_id':
        return this.item.id;
      case 'last_updated':
        return this.item.updatedAt;
      case 'subtasks':
      case 'board_relation':
        return this.display_value;
      default:
        return cellText(this.c, this.cell);
    }
  }
  get value() {
    switch (this.c.type) {
      case 'subtasks': {
        const subs = activeSubitems(this.ctx.store, this.item);
        return subs.length ? JSON.stringify({ linkedPulseIds: subs.map((s) => ({ linkedPulseId: Number(s.id) })) }) : null;
      }
      case 'last_updated':
        return JSON.stringify({ updated_at: this.item.updatedAt, updater_id: this.item.creatorId });
      default:
        return cellValueJson(this.c, this.cell);
    }
  }
  get updated_at() {
    return this.c.type === 'last_updated' ? this.item.updatedAt : (this.cell?.changedAt ?? null);
  }
  // numbers
  get number() {
    return this.d === undefined ? null : Number(this.d);
  }
  get symbol() {
    return ((this.c.settings.unit as { symbol?: string } | undefined)?.symbol ?? null) || null;
  }
  get direction() {
    return null;
  }
  // date
  get date() {
    return this.d?.date ?? null;
  }
  get time() {
    return this.d ? (this.d.time ?? '') : null;
  }
  // status
  get index() {
    return this.d?.index ?? null;
  }
  get label() {
    return this.d ? (labelById(this.c, this.d.index)?.label ?? null) : null;
  }
  get is_done() {
    return this.d ? (labelById(this.c, this.d.index)?.is_done ?? false) : false;
  }
  // dropdown
  get values() {
    return ((this.d?.ids as number[] | undefined) ?? []).map((id) => ({ id: String(id), label: labelById(this.c, id)?.label ?? '' }));
  }
  // checkbox
  get checked() {
    return this.d?.checked === true;
  }
  // link
  get url() {
    return this.d?.url ?? null;
  }
  get url_text() {
    return this.d?.text ?? null;
  }
  // people
  get persons_and_teams() {
    return ((this.d?.personsAndTeams as Array<{ id: number; kind: string }> | undefined) ?? []).map((p) => ({ id: String(p.id), kind: p.kind }));
  }
  // item id / last updated
  get item_id() {
    return this.item.id;
  }
  get updater_id() {
    return this.item.creatorId;
  }
  // subtasks / board relation / mirror / formula
  get subitems_ids() {
    return activeSubitems(this.ctx.store, this.item).map((s) => s.id);
  }
  get subitems() {
    return activeSubitems(this.ctx.store, this.item).map((s) => new ItemView(this.ctx, s));
  }
  get linked_item_ids() {
    return ((this.d?.linkedPulseIds as Array<{ linkedPulseId: number }> | undefined) ?? []).map((l) => String(l.linkedPulseId));
  }
  get display_value() {
    if (this.c.type === 'subtasks') return activeSubitems(this.ctx.store, this.item).map((s) => s.name).join(', ');
    if (this.c.type === 'board_relation') {
      return this.linked_item_ids.map((id) => this.ctx.store.items.get(id)?.name ?? '').join(', ');
    }
    return '';
  }
}
