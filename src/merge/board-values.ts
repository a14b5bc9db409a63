import { ownerOf, type Settings } from '../config/index.js';
import { canonicalJson, sha256, type FieldValue } from './hash.js';

/** What a row hash is taken over: what the order's item will show once written. */
export interface BoardRow {
  fields: Record<string, FieldValue>;
  itemName: string;
  groupName: string;
  cancelled: boolean;
}

/**
 * A value as monday will receive it in an items-board column (formatted for the column's type
 * and labels); the sync layer builds it from the board's columns.
 */
export type ValueFormatter = (columnId: string, value: FieldValue) => unknown;

/** Written at every write of the item, so it is never itself a reason to write. */
const UNHASHED_SOURCES = new Set(['@synced_at']);

/**
 * The row hash over the values as monday will receive them: each mapped value formatted for
 * its column on the items board (`2025-07-01 00:00:00` and `2025-07-01` are the same date,
 * `12.0` and `12` the same number, a label matched to the board's own spelling, a long text
 * cut as it will be cut), the name, the group the item belongs in and the cancellation status.
 * A staged change that does not reach the board leaves the hash alone, so nothing is sent.
 * Without the board's columns (never read yet) the values are hashed as staged.
 *
 * SHA-256 of canonical JSON of `{ v: 2, columns, name, group, cancelled }`, compiled once per
 * merge: the columns sorted once, the JSON written straight into one string.
 */
export function boardRowHasher(s: Settings, format: ValueFormatter | undefined): (row: BoardRow) => string {
  const asWritten = format ?? ((_columnId: string, value: FieldValue) => value);
  const writtenBy = new Map<string, string | null>();
  for (const [source, columnId] of Object.entries(s.mapping.columns)) {
    // A board-owned column is written at creation only: a staged change to it is no reason to write.
    if (!UNHASHED_SOURCES.has(source) && ownerOf(s, columnId) !== 'board') writtenBy.set(columnId, source);
  }
  const status = s.cancel.status_column_id;
  if (status) writtenBy.set(status, null);
  const slots = [...writtenBy.keys()].sort().map((columnId) => ({ columnId, name: JSON.stringify(columnId), source: writtenBy.get(columnId) ?? null }));
  const cancelledLabel = s.cancel.status_label;
  const activeLabel = s.cancel.active_label ?? null;
  const moveTo = s.cancel.move_to_group;
  return (row) => {
    let columns = '';
    for (const slot of slots) {
      const value = slot.source === null ? (row.cancelled ? cancelledLabel : activeLabel) : (row.fields[slot.source] ?? null);
      columns += `${columns === '' ? '' : ','}${slot.name}:${canonicalJson(asWritten(slot.columnId, value))}`;
    }
    const group = row.cancelled && moveTo ? moveTo : row.groupName;
    return sha256(`{"cancelled":${row.cancelled},"columns":{${columns}},"group":${JSON.stringify(group)},"name":${JSON.stringify(row.itemName)},"v":2}`);
  };
}
