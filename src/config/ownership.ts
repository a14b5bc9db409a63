import { ConfigError } from '../errors.js';
import { boardKey } from './board-keys.js';
import type { Settings } from './schema.js';

/**
 * Who owns each mapped items-board column. `db` (the default): ordersync's value wins, a
 * planner's edit is drift that `verify --fix` overwrites. `board`: ordersync writes the value
 * when it creates the item and never after; the board's value is read back into the order row
 * (`orders.board_values_json`). Board-owned columns are never part of the row hash, so a staged
 * change to one queues nothing, and never a reason to write.
 */
export type Owner = 'db' | 'board';

export function ownerOf(s: Settings, columnId: string): Owner {
  return s.mapping.owners[columnId] ?? 'db';
}

/** Staging sources (keys of mapping.columns) whose column the board owns. */
export function boardOwnedSources(s: Settings): Set<string> {
  return new Set(Object.entries(s.mapping.columns).filter(([, c]) => ownerOf(s, c) === 'board').map(([source]) => source));
}

/** Changed source fields an update may send: board-owned ones are written only at creation. */
export function dbOwnedChanges(s: Settings, changed: Set<string>): Set<string> {
  const board = boardOwnedSources(s);
  return new Set([...changed].filter((f) => !board.has(f)));
}

/**
 * Columns whose board value is read back into the order row, by the name it is stored under:
 * board-owned mapped columns under their staging source, `[mapping.read_back]` columns under
 * the name given there.
 */
export function readBackColumns(s: Settings): Array<{ name: string; columnId: string }> {
  const owned = Object.entries(s.mapping.columns)
    .filter(([, c]) => ownerOf(s, c) === 'board')
    .map(([name, columnId]) => ({ name, columnId }));
  return [...owned, ...Object.entries(s.mapping.read_back).map(([name, columnId]) => ({ name, columnId }))];
}

/** Why an ownership setting cannot work, with the key to fix; empty when it can. */
export function ownershipProblems(s: Settings): Array<{ key: string; message: string }> {
  const out: Array<{ key: string; message: string }> = [];
  const mapped = new Map(Object.entries(s.mapping.columns).map(([source, c]) => [c, source]));
  let keys: string[] = [];
  try {
    const bk = boardKey(s);
    keys = bk.kind === 'whole' ? [bk.columnId] : bk.columnIds;
  } catch {
    // A missing key column is reported by its own check.
  }
  for (const [columnId, owner] of Object.entries(s.mapping.owners)) {
    const key = `mapping.owners.${columnId}`;
    if (!mapped.has(columnId)) out.push({ key, message: `column ${columnId} is not a target of [mapping.columns]; ownership applies to mapped columns (a column only on the board is read back through [mapping.read_back])` });
    else if (owner === 'board' && keys.includes(columnId)) out.push({ key, message: `column ${columnId} holds the business key: crash recovery and baseline find items by it, so ordersync must own it` });
    else if (owner === 'board' && mapped.get(columnId) === '@synced_at') out.push({ key, message: `column ${columnId} is the @synced_at stamp, which ordersync writes on every write` });
  }
  for (const [name, columnId] of Object.entries(s.mapping.read_back)) {
    const key = `mapping.read_back.${name}`;
    if (mapped.has(columnId)) out.push({ key, message: `column ${columnId} is mapped from "${mapped.get(columnId)}"; to read a mapped column back, set mapping.owners.${columnId} = "board"` });
    if (columnId === s.cancel.status_column_id) out.push({ key, message: `column ${columnId} is the cancellation status column, which ordersync writes` });
    if (name in s.mapping.columns) out.push({ key, message: `"${name}" is also a mapped staging column; read-back names and board-owned sources share orders.board_values_json` });
  }
  return out;
}

/** A sync refuses to start on an ownership setting that cannot work (config validate lists them all). */
export function assertOwnership(s: Settings): void {
  const [first] = ownershipProblems(s);
  if (first) throw new ConfigError(`${first.key}: ${first.message}`);
}
