import { cellText } from './columns/values.js';
import { apiErrors } from './errors.js';
import type { Board, Item, Store } from './model.js';

/** `ItemsQuery` as graphql-js hands it over. */
export interface ItemsQuery {
  ids?: string[] | null;
  rules?: ItemsQueryRule[] | null;
  groups?: ItemsQueryGroup[] | null;
  operator?: 'and' | 'or' | null;
  order_by?: Array<{ column_id: string; direction?: 'asc' | 'desc' | null }> | null;
}
interface ItemsQueryGroup {
  rules?: ItemsQueryRule[] | null;
  groups?: ItemsQueryGroup[] | null;
  operator?: 'and' | 'or' | null;
}
interface ItemsQueryRule {
  column_id: string;
  compare_value: unknown;
  compare_attribute?: string | null;
  operator?: string | null;
}

/** What a rule compares: the name, the group id, label ids, or the cell's display text. */
function comparable(store: Store, board: Board, item: Item, columnId: string): { texts: string[]; ids: number[] } {
  if (columnId === 'name') return { texts: [item.name], ids: [] };
  if (columnId === 'group') return { texts: [item.groupId], ids: [] };
  const column = store.column(board, columnId);
  if (!column) throw apiErrors.columnNotFound(columnId);
  const cell = item.values.get(columnId);
  const data = cell?.data as { index?: number; ids?: number[] } | undefined;
  const text = cellText(column, cell);
  if (column.type === 'status') return { texts: text ? [text] : [], ids: data ? [data.index!] : [] };
  if (column.type === 'dropdown') return { texts: text ? text.split(', ') : [], ids: data?.ids ?? [] };
  return { texts: text ? [text] : [], ids: [] };
}

function ruleMatches(store: Store, board: Board, item: Item, rule: ItemsQueryRule): boolean {
  const { texts, ids } = comparable(store, board, item, rule.column_id);
  const wanted = (Array.isArray(rule.compare_value) ? rule.compare_value : [rule.compare_value]).filter((v) => v !== null && v !== undefined);
  const wantedText = wanted.map((v) => String(v));
  const lower = texts.map((t) => t.toLowerCase());
  const anyOf = () => wantedText.some((w) => texts.includes(w) || ids.includes(Number(w)) || (w === '' && texts.length === 0));
  const num = (s: string | undefined) => (s === undefined || s === '' ? NaN : Number(s));
  const cmp = (pred: (a: string, b: string) => boolean) => texts.length > 0 && wantedText.length > 0 && pred(texts[0]!, wantedText[0]!);
  const order = (a: string, b: string) => (Number.isNaN(num(a)) || Number.isNaN(num(b)) ? a.localeCompare(b) : num(a) - num(b));
  switch (rule.operator ?? 'any_of') {
    case 'any_of':
      return anyOf();
    case 'not_any_of':
      return !anyOf();
    case 'is_empty':
      return texts.length === 0 && ids.length === 0;
    case 'is_not_empty':
      return texts.length > 0 || ids.length > 0;
    case 'contains_text':
    case 'contains_terms':
      return wantedText.some((w) => lower.some((t) => t.includes(w.toLowerCase())));
    case 'not_contains_text':
      return !wantedText.some((w) => lower.some((t) => t.includes(w.toLowerCase())));
    case 'starts_with':
      return wantedText.some((w) => lower.some((t) => t.startsWith(w.toLowerCase())));
    case 'ends_with':
      return wantedText.some((w) => lower.some((t) => t.endsWith(w.toLowerCase())));
    case 'greater_than':
      return cmp((a, b) => order(a, b) > 0);
    case 'greater_than_or_equals':
      return cmp((a, b) => order(a, b) >= 0);
    case 'lower_than':
      return cmp((a, b) => order(a, b) < 0);
    case 'lower_than_or_equal':
      return cmp((a, b) => order(a, b) <= 0);
    case 'between':
      return texts.length > 0 && wantedText.length === 2 && order(texts[0]!, wantedText[0]!) >= 0 && order(texts[0]!, wantedText[1]!) <= 0;
    default:
      throw apiErrors.unsupportedByEmulator(`The items_page operator ${rule.operator}`);
  }
}

function groupMatches(store: Store, board: Board, item: Item, q: ItemsQueryGroup): boolean {
  const results = [
    ...(q.rules ?? []).map((r) => () => ruleMatches(store, board, item, r)),
    ...(q.groups ?? []).map((g) => () => groupMatches(store, board, item, g)),
  ];
  if (results.length === 0) return true;
  return q.operator === 'or' ? results.some((f) => f()) : results.every((f) => f());
}

/** Active items of a board (or one group) that match, in the query's order. */
export function queryItems(store: Store, board: Board, query: ItemsQuery | null | undefined, groupId?: string): string[] {
  const idFilter = query?.ids?.length ? new Set(query.ids.map(String)) : undefined;
  const matched: Item[] = [];
  for (const item of board.items.values()) {
    if (item.state !== 'active') continue;
    if (groupId !== undefined && item.groupId !== groupId) continue;
    if (idFilter && !idFilter.has(item.id)) continue;
    if (query && !groupMatches(store, board, item, query)) continue;
    matched.push(item);
  }
  for (const order of [...(query?.order_by ?? [])].reverse()) {
    const sign = order.direction === 'desc' ? -1 : 1;
    const key = (i: Item): string => {
      if (order.column_id === '__creation_log__') return i.createdAt + i.id.padStart(20, '0');
      if (order.column_id === '__last_updated__') return i.updatedAt;
      return comparable(store, board, i, order.column_id).texts[0] ?? '';
    };
    matched.sort((a, b) => sign * key(a).localeCompare(key(b), undefined, { numeric: true }));
  }
  return matched.map((i) => i.id);
}
