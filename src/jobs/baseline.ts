import type { Settings } from '../config/index.js';
import type { Db } from '../db/index.js';
import type { FieldValue } from '../merge/index.js';
import { formatValue, type BoardSnapshot, type SnapshotColumn, type MondayClient, type FormattedValue } from '../monday/index.js';
import { desiredGroup, ORDER_COLUMNS, type OrderRow } from '../sync/desired.js';
import { resolveBoards, columnNumber, findItemsByKey, keyColumns, subitemsBySize, targetQty } from '../sync/index.js';
import { adoptBaselineItem, adoptBaselineLine } from '../queue/index.js';
import { journal, type SyncEvent } from '../queue/journal.js';

const LOOKUP_CHUNK = 50;

/** One order or line whose board state differs from staging; the next run sends it. */
export interface BaselineDifference {
  order_key: string;
  size?: string;
  what: string;
  board: string | null;
  staging: string | null;
}

export interface BaselineResult {
  /** Orders without an item found on the board (the next run creates them). */
  notOnBoard: number;
  adoptedItems: number;
  /** Adopted items whose board values already equal staging: SYNCED. */
  identicalItems: number;
  adoptedSubitems: number;
  /** Board items sharing one business key (the oldest is adopted; the others are listed). */
  duplicatesOnBoard: Array<{ order_key: string; kept: string; others: string[] }>;
  differences: BaselineDifference[];
}

/**
 * Cutover baseline: orders already on the board (found by their whole business key, exactly,
 * never by name: see board-match.ts) are adopted instead of re-created. Their ids are stored and subitems matched by size;
 * nothing is written to monday. An order whose board values equal staging becomes SYNCED;
 * one that differs stays PENDING as an UPDATE whose "last synced" values are the board's, so
 * the next run sends exactly the differing fields (and `rollback` of that run can restore them).
 */
export async function adoptExisting(db: Db, s: Settings, client: MondayClient, runId: number, boards: { items: BoardSnapshot; subitems: BoardSnapshot }): Promise<BaselineResult> {
  const { boardKey: bk, subitemColumns } = resolveBoards(s, boards);
  const result: BaselineResult = { notOnBoard: 0, adoptedItems: 0, identicalItems: 0, adoptedSubitems: 0, duplicatesOnBoard: [], differences: [] };
  const orders: OrderRow[] = await db.kysely
    .selectFrom('orders')
    .select(ORDER_COLUMNS)
    .where('monday_item_id', 'is', null)
    .where('sync_state', '!=', 'IN_FLIGHT')
    .orderBy('id')
    .execute();
  const columns = new Map(boards.items.columns.map((c) => [c.id, c]));
  const readIds = [...new Set([...keyColumns(bk), ...Object.values(s.mapping.columns), ...(s.cancel.status_column_id ? [s.cancel.status_column_id] : [])])];
  const { size: sizeCol, qty: qtyCol } = subitemColumns;

  for (let i = 0; i < orders.length; i += LOOKUP_CHUNK) {
    const chunk = orders.slice(i, i + LOOKUP_CHUNK);
    const byKey = await findItemsByKey(client, boards.items.board_id, bk, chunk, {
      keep: (item) => item.state === 'active',
      read: { columnIds: readIds, withSubitems: true, subitemColumnIds: [sizeCol, qtyCol], pageSize: LOOKUP_CHUNK },
    });
    const now = new Date().toISOString();
    await db.kysely.transaction().execute(async (trx) => {
      const events: SyncEvent[] = [];
      for (const o of chunk) {
        const found = byKey.get(o.order_key) ?? [];
        const item = found[0];
        if (!item) {
          result.notOnBoard++;
          continue;
        }
        if (found.length > 1) result.duplicatesOnBoard.push({ order_key: o.order_key, kept: item.id, others: found.slice(1).map((x) => x.id) });
        const fields = JSON.parse(o.fields_json) as Record<string, FieldValue>;
        const wanted = desiredGroup({ s }, o);
        const syncedFields: Record<string, FieldValue> = {};
        const diffs: BaselineDifference[] = [];
        for (const [source, columnId] of Object.entries(s.mapping.columns)) {
          const value = fields[source] ?? null;
          const col = columns.get(columnId);
          const boardText = item.column_values.find((c) => c.id === columnId)?.text?.trim() || null;
          if (!col || sameValue(col, boardText, value)) {
            syncedFields[source] = value;
          } else {
            syncedFields[source] = boardText;
            diffs.push({ order_key: o.order_key, what: `${source} (${columnId})`, board: boardText, staging: value === null ? null : String(value) });
          }
        }
        let boardCancelled = o.is_cancelled === 1;
        const status = s.cancel.status_column_id;
        if (status) {
          const text = item.column_values.find((c) => c.id === status)?.text?.trim() ?? '';
          boardCancelled = text.toLowerCase() === s.cancel.status_label.toLowerCase();
          if (boardCancelled !== (o.is_cancelled === 1)) diffs.push({ order_key: o.order_key, what: `cancellation (${status})`, board: text || null, staging: o.is_cancelled === 1 ? s.cancel.status_label : (s.cancel.active_label ?? null) });
        }
        const boardGroup = item.group?.title ?? '';
        if (boardGroup !== wanted) diffs.push({ order_key: o.order_key, what: 'group', board: boardGroup, staging: wanted });
        if (item.name !== o.item_name) diffs.push({ order_key: o.order_key, what: 'name', board: item.name, staging: o.item_name });

        const identical = diffs.length === 0;
        const synced = { fields: syncedFields, group: boardGroup, name: item.name, cancelled: boardCancelled };
        const adoption = { monday_item_id: item.id, monday_group_id: item.group?.id ?? null, synced_fields_json: JSON.stringify(synced), action: identical ? ('NONE' as const) : o.is_cancelled === 1 ? ('CANCEL' as const) : ('UPDATE' as const) };
        await adoptBaselineItem(trx, o.id, adoption, identical, runId, now);
        result.adoptedItems++;
        if (identical) result.identicalItems++;
        result.differences.push(...diffs);
        events.push({ order_key: o.order_key, operation: 'adopt_item', outcome: 'ADOPTED', board_id: boards.items.board_id, monday_id: item.id, before: null, after: { adopted: true, differences: diffs.map((d) => d.what) } });

        // Lines: subitems matched by their size column; quantities compared with the target.
        const lines = await trx.selectFrom('order_lines').select(['id', 'size', 'qty', 'action']).where('order_id', '=', o.id).execute();
        const bySize = subitemsBySize(item.subitems ?? [], sizeCol);
        const sizes = new Set(lines.map((l) => l.size));
        for (const l of lines) {
          const sub = bySize.get(l.size);
          if (!sub) {
            result.differences.push({ order_key: o.order_key, size: l.size, what: `size ${l.size} (no subitem: will be created)`, board: null, staging: String(l.qty) });
            continue;
          }
          const boardQty = columnNumber(sub, qtyCol);
          const target = targetQty(l, o.is_cancelled === 1);
          const same = boardQty === target;
          await adoptBaselineLine(trx, l.id, { monday_subitem_id: sub.id, synced_qty: boardQty }, same, runId, now);
          result.adoptedSubitems++;
          if (!same) result.differences.push({ order_key: o.order_key, size: l.size, what: `size ${l.size} quantity`, board: boardQty === null ? null : String(boardQty), staging: String(target) });
          events.push({ order_key: o.order_key, size: l.size, operation: 'adopt_subitem', outcome: 'ADOPTED', board_id: boards.subitems.board_id, monday_id: sub.id, before: null, after: { adopted: true, qty: boardQty } });
        }
        for (const [size, sub] of bySize) {
          if (!sizes.has(size)) result.differences.push({ order_key: o.order_key, size, what: `subitem ${sub.id} size ${size} is not in staging (left as it is)`, board: size, staging: null });
        }
      }
      await journal(trx, runId, events, now);
    });
  }
  return result;
}

/** Whether a board cell's text already shows the staged value (compared the way monday stores it). */
export function sameValue(col: SnapshotColumn, boardText: string | null, value: unknown): boolean {
  const f = formatValue(col, value);
  if (!f.ok) return false;
  return normalizeText(col, boardText) === normalizeText(col, expectedText(col, f.value));
}

function expectedText(col: SnapshotColumn, v: FormattedValue): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v.text === 'string' && col.type === 'long_text') return v.text;
  if (typeof v.date === 'string') return v.date;
  if (typeof v.label === 'string') return v.label;
  if (typeof v.index === 'number') return col.settings?.labels?.find((l) => l.id === v.index)?.label ?? String(v.index);
  if (Array.isArray(v.labels)) return v.labels.join(', ');
  if (v.checked !== undefined) return 'v';
  if (typeof v.url === 'string') return `${typeof v.text === 'string' ? v.text : v.url} - ${v.url}`;
  return JSON.stringify(v);
}

function normalizeText(col: SnapshotColumn, text: string | null): string {
  const t = (text ?? '').trim();
  if (t === '') return '';
  if (col.type === 'numbers') return Number.isFinite(Number(t)) ? String(Number(t)) : t;
  if (col.type === 'date') return t.slice(0, 10);
  if (col.type === 'status' || col.type === 'dropdown') return t.toLowerCase();
  return t;
}
