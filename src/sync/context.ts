import { boardKey, subitemColumnIds, type Settings, type BoardKey } from '../config/index.js';
import type { Db } from '../db/index.js';
import type { BoardSnapshot } from '../monday/index.js';
import type { BoardApi } from './board-api.js';
import type { SyncCounts } from './counts.js';
import type { PlannedLabels } from './labels.js';

/** Groups are created within the items phase, a page of orders at a time. */
export type Phase = 'reconcile' | 'items' | 'subitems';

export interface SyncScope {
  /** Canary: at most this many orders get item work in this run. */
  limit?: number;
  /** Canary: only this customer's orders. */
  customer?: string;
}

/** The environment's two boards as read, and where on them an order's key and a line's size and quantity are. */
export interface ResolvedBoards {
  itemsBoard: BoardSnapshot;
  subitemsBoard: BoardSnapshot;
  /** Where the business key is on the items board (crash recovery and baseline look items up by it). */
  boardKey: BoardKey;
  /** The subitems-board columns holding a line's size and quantity. */
  subitemColumns: { size: string; qty: string };
}

/** Resolved once per job from the boards read at its start; a setting that names no column fails here, before any write. */
export function resolveBoards(s: Settings, boards: { items: BoardSnapshot; subitems: BoardSnapshot }, env?: string): ResolvedBoards {
  return { itemsBoard: boards.items, subitemsBoard: boards.subitems, boardKey: boardKey(s), subitemColumns: subitemColumnIds(s, env) };
}

/**
 * What deciding a row's operations reads: settings, boards and the clock, never the database
 * or monday; and the planner's own state for the run (labels its requests will create).
 */
export type PlanContext = ResolvedBoards & { s: Settings; now(): string; labels: PlannedLabels };

/** Everything one sync run needs, resolved once at its start. */
export interface SyncContext extends PlanContext {
  db: Db;
  board: BoardApi;
  runId: number;
  env: string;
  counts: SyncCounts;
  scope: SyncScope;
  allowMassChange: boolean;
  /** Tags the API log with the order keys of the next requests. */
  touching(keys: string[]): void;
  progress(phase: Phase, done: number, total: number): void;
}
