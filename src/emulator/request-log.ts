import type { Store } from './model.js';

/** One executed mutation request, for tests that check who wrote to which board when. */
export interface MutationLogEntry {
  /** Wall-clock ms (Date.now) when the request arrived and when its answer was ready. */
  startedAt: number;
  finishedAt: number;
  idempotencyKey: string | null;
  /** Items boards written (a subitems board counts as its parent's). */
  boards: string[];
  /** HTTP status of the answer: only a 200 ran (a 429 was refused before running). */
  status: number;
}

const MAX_ENTRIES = 200_000;

export class RequestLog {
  readonly entries: MutationLogEntry[] = [];

  add(entry: MutationLogEntry): void {
    if (this.entries.length >= MAX_ENTRIES) this.entries.shift();
    this.entries.push(entry);
  }

  clear(): void {
    this.entries.length = 0;
  }
}

/**
 * The boards a mutation document's variables point at: `board_id_N` directly, `item_id_N` and
 * `parent_item_id_N` through the item's board, read before the mutation runs.
 */
export function boardsOf(store: Store, variables: Record<string, unknown>): string[] {
  const boards = new Set<string>();
  const top = (boardId: string | undefined) => {
    if (!boardId) return;
    const b = store.boards.get(boardId);
    boards.add(b?.parentBoardId ?? boardId);
  };
  for (const [name, value] of Object.entries(variables)) {
    if (value === null || value === undefined) continue;
    if (/^board_id(_\d+)?$/.test(name)) top(String(value));
    else if (/^(parent_)?item_id(_\d+)?$/.test(name)) top(store.items.get(String(value))?.boardId);
  }
  return [...boards].sort();
}
