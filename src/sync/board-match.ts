import type { MondayItem } from '../monday/client.js';

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
export function targetQty(line: { qty: number; action: string }, orderCancelled: boolean): number {
  return orderCancelled || line.action === 'DELETE' ? 0 : line.qty;
}
