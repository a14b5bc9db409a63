import type { ColumnDef, Item } from './model.js';

/**
 * `Board.activity_logs`: what happened to a board's items, by whom. monday keeps these per
 * board; the emulator records them in memory (not persisted: the log is lossy on the real API
 * too). Events use monday's names: create_pulse, update_column_value, update_name,
 * move_pulse_into_group, archive_pulse, delete_pulse, restore_pulse. `created_at` is monday's
 * 17-digit unix time (tenths of microseconds); `data` the JSON string of the event's details.
 */
export interface ActivityEvent {
  id: string;
  boardId: string;
  itemId: string;
  groupId: string;
  event: string;
  userId: string;
  accountId: string;
  at: number;
  columnId?: string;
  data: Record<string, unknown>;
}

export interface ActivityQuery {
  column_ids?: Array<string | null> | null;
  from?: string | null;
  to?: string | null;
  group_ids?: Array<string | null> | null;
  item_ids?: string[] | null;
  user_ids?: string[] | null;
  limit?: number | null;
  page?: number | null;
}

export class ActivityLog {
  private readonly events: ActivityEvent[] = [];
  private seq = 0;

  record(item: Item, event: string, user: { id: string; account_id: string }, extra: { column?: ColumnDef; value?: unknown; previous?: unknown; from_group?: string } = {}): void {
    this.seq += 1;
    const data: Record<string, unknown> = {
      board_id: Number(item.boardId),
      group_id: item.groupId,
      pulse_id: Number(item.id),
      pulse_name: item.name,
      ...(item.parentId ? { parent_item_id: Number(item.parentId) } : {}),
      ...(extra.column ? { column_id: extra.column.id, column_type: extra.column.type, column_title: extra.column.title, value: extra.value ?? null, previous_value: extra.previous ?? null } : {}),
      ...(extra.from_group ? { source_group: { id: extra.from_group }, dest_group: { id: item.groupId } } : {}),
    };
    this.events.push({ id: `emu-log-${this.seq}`, boardId: item.boardId, itemId: item.id, groupId: item.groupId, event, userId: user.id, accountId: user.account_id, at: Date.now(), columnId: extra.column?.id, data });
  }

  /** Newest first, as monday lists them; a column filter keeps only column-value events of those columns. */
  query(boardId: string, q: ActivityQuery): ActivityEvent[] {
    const from = q.from ? Date.parse(q.from) : -Infinity;
    const to = q.to ? Date.parse(q.to) : Infinity;
    const columns = q.column_ids?.filter((c): c is string => c !== null);
    const groups = q.group_ids?.filter((g): g is string => g !== null);
    const list = this.events.filter(
      (e) =>
        e.boardId === boardId &&
        e.at >= from &&
        e.at <= to &&
        (!columns?.length || (e.columnId !== undefined && columns.includes(e.columnId))) &&
        (!groups?.length || groups.includes(e.groupId)) &&
        (!q.item_ids?.length || q.item_ids.map(String).includes(e.itemId)) &&
        (!q.user_ids?.length || q.user_ids.map(String).includes(e.userId)),
    );
    list.reverse();
    const limit = Math.max(1, q.limit ?? 25);
    const page = Math.max(1, q.page ?? 1);
    return list.slice((page - 1) * limit, page * limit);
  }

  clear(): void {
    this.events.length = 0;
  }
}

/** The `ActivityLogType` fields of one event. */
export function activityView(e: ActivityEvent) {
  return { id: e.id, account_id: e.accountId, created_at: String(e.at * 10_000), data: JSON.stringify(e.data), entity: 'pulse', event: e.event, user_id: e.userId };
}
