import type { BoardKey } from '../config/index.js';
import {
  fetchBoards,
  fetchBoardSnapshot,
  type AliasResult,
  type GroupRef,
  type MutationOp,
  type BoardSnapshot,
  type MondayClient,
  type MondayItem,
  type MondayStats,
} from '../monday/index.js';
import { findItemsByKey, type KeyLookup } from './board-match.js';

/**
 * The few things the sync asks of monday. The phases talk to the board only through this, so
 * what they decide and write is independent of how the board is reached.
 */
export interface BoardApi {
  /** Mutations per request. */
  readonly batchSize: number;
  /** Requests, retries and complexity so far (the run record's figures). */
  readonly stats: MondayStats;
  /**
   * One request of aliased mutations, answered per mutation in order. The key is stored with
   * the rows before the call; a resend reuses it. Throws a MondayError when the whole request
   * was refused or its answer lost.
   */
  send(ops: readonly MutationOp[], idempotencyKey: string): Promise<AliasResult[]>;
  /** The items carrying each order's whole key (board-match.ts's rule), by order key. */
  itemsByKey(boardId: string, bk: BoardKey, orders: ReadonlyArray<{ order_key: string; key_values: string }>, lookup: KeyLookup): Promise<Map<string, MondayItem[]>>;
  /**
   * The subitems (in every state, with the given columns) under each of these items, by item
   * id; an item the board does not return has no entry.
   */
  subitemsOf(itemIds: readonly string[], read: { columnIds: string[]; subitemColumnIds: string[] }): Promise<Map<string, MondayItem[]>>;
  /** The state monday reports for each of these items (`active`, `archived`, `deleted`); an id it does not return has no entry. */
  itemStates(ids: readonly string[]): Promise<Map<string, string>>;
  groups(boardId: string): Promise<GroupRef[]>;
  readBoard(boardId: string): Promise<BoardSnapshot>;
  /** The environment's items board (read already, or read here) and its subitems board. */
  readBoards(ids: { items_board_id?: string; subitems_board_id?: string }, env: string, items?: BoardSnapshot): Promise<{ items: BoardSnapshot; subitems: BoardSnapshot }>;
}

/** The BoardApi of a real (or emulated) monday account. */
export function mondayBoard(client: MondayClient): BoardApi {
  return {
    get batchSize() {
      return client.batchSize;
    },
    get stats() {
      return client.stats;
    },
    send: (ops, idempotencyKey) => client.mutate(ops, { idempotencyKey }),
    itemsByKey: (boardId, bk, orders, lookup) => findItemsByKey(client, boardId, bk, orders, lookup),
    subitemsOf: async (itemIds, read) => {
      const items = await client.itemsByIds(itemIds, { ...read, withSubitems: true });
      return new Map(items.map((it) => [it.id, it.subitems ?? []]));
    },
    itemStates: async (ids) => new Map((await client.itemsByIds(ids, { columnIds: [] })).map((it) => [it.id, it.state ?? 'active'])),
    groups: (boardId) => client.groups(boardId),
    readBoard: (boardId) => fetchBoardSnapshot(client, boardId),
    readBoards: (ids, env, items) => fetchBoards(client, ids, env, items),
  };
}
