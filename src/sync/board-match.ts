import type { BoardKey } from '../config/index.js';
import type { LineAction } from '../db/index.js';
import { orderKey } from '../merge/order-key.js';
import type { MondayClient, MondayItem, PageOptions } from '../monday/index.js';

/** The board columns that make up the key. */
export function keyColumns(bk: BoardKey): string[] {
  return bk.kind === 'whole' ? [bk.columnId] : bk.columnIds;
}

/** The column items are searched by, and the value to search an order by (then matched exactly). */
export function keySearch(bk: BoardKey, order: { order_key: string; key_values: string }): { columnId: string; value: string } {
  if (bk.kind === 'whole') return { columnId: bk.columnId, value: order.order_key };
  return { columnId: bk.columnIds[0] as string, value: (JSON.parse(order.key_values) as string[])[0] ?? '' };
}

/** The order key an item carries on the board, or null when (part of) it is empty. */
export function itemKey(bk: BoardKey, item: MondayItem): string | null {
  const texts = keyColumns(bk).map((c) => columnText(item, c) ?? '');
  if (texts.some((t) => t === '')) return null;
  return bk.kind === 'whole' ? (texts[0] as string) : orderKey(texts);
}

/**
 * The one board matcher (reconcile, baseline): items by their whole key, compared exactly
 * (merge reports keys that differ only by case), oldest first so a duplicate left by a past
 * failure never wins over the original.
 */
export function itemsByKey(bk: BoardKey, items: readonly MondayItem[], keep: (item: MondayItem) => boolean): Map<string, MondayItem[]> {
  const out = new Map<string, MondayItem[]>();
  for (const item of items) {
    if (!keep(item)) continue;
    const key = itemKey(bk, item);
    if (key === null) continue;
    const list = out.get(key);
    if (list) list.push(item);
    else out.set(key, [item]);
  }
  for (const list of out.values()) list.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  return out;
}

/** Orders per items_page_by_column_values request. */
const LOOKUP_CHUNK = 50;

/** What a key lookup reads, and which of the found items count. */
export interface KeyLookup {
  keep: (item: MondayItem) => boolean;
  read: PageOptions;
  /** Called before each chunk's request with the keys it searches (the API log tags it). */
  beforeChunk?: (keys: string[]) => void;
}

/**
 * The one board lookup (reconcile, baseline): the items carrying each order's whole key, by
 * itemsByKey's rule, searched in chunks of orders and matched over every chunk's answer.
 */
export async function findItemsByKey(
  client: Pick<MondayClient, 'findItemsByColumnValues'>,
  boardId: string,
  bk: BoardKey,
  orders: ReadonlyArray<{ order_key: string; key_values: string }>,
  opts: KeyLookup,
): Promise<Map<string, MondayItem[]>> {
  const found = new Map<string, MondayItem>();
  for (let i = 0; i < orders.length; i += LOOKUP_CHUNK) {
    const chunk = orders.slice(i, i + LOOKUP_CHUNK);
    opts.beforeChunk?.(chunk.map((o) => o.order_key));
    const search = chunk.map((o) => keySearch(bk, o));
    const items = await client.findItemsByColumnValues(boardId, [{ column_id: search[0]?.columnId ?? '', column_values: [...new Set(search.map((x) => x.value))] }], opts.read);
    for (const item of items) found.set(item.id, item);
  }
  return itemsByKey(bk, [...found.values()], opts.keep);
}

/**
 * How rows are matched to what is on the board: subitems by their size column (never by
 * name), the oldest first, so a duplicate left by a past failure never wins over the original.
 */
export function subitemsBySize(subitems: readonly MondayItem[], sizeColumnId: string): Map<string, MondayItem> {
  const bySize = new Map<string, MondayItem>();
  const oldestFirst = subitems.filter((s) => s.state !== 'deleted' && s.state !== 'archived').sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  for (const sub of oldestFirst) {
    const size = columnText(sub, sizeColumnId);
    if (size && !bySize.has(size)) bySize.set(size, sub);
  }
  return bySize;
}

export function columnText(item: MondayItem, columnId: string): string | undefined {
  return item.column_values.find((c) => c.id === columnId)?.text?.trim() ?? undefined;
}

/** A numbers column read back: null when empty or not a number. */
export function columnNumber(item: MondayItem, columnId: string): number | null {
  const text = columnText(item, columnId);
  if (text === undefined || text === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/**
 * What a line's subitem should show: its quantity, or 0 when the order is cancelled or the
 * size is gone (SPEC §4: lines keep their sizes, quantities go to 0).
 */
export function targetQty(line: { qty: number; action: LineAction }, orderCancelled: boolean): number {
  return orderCancelled || line.action === 'DELETE' ? 0 : line.qty;
}
