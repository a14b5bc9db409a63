import { subitemColumnIds } from '../config/board-keys.js';
import type { Settings } from '../config/schema.js';
import type { Db } from '../db/connect.js';
import { ConfigError } from '../errors.js';
import { fetchBoardSnapshot, subitemsBoardId, type BoardSnapshot } from '../monday/board-schema.js';
import type { MondayClient, MondayStats } from '../monday/client.js';
import { DailyLimitError } from '../monday/errors.js';
import type { Phase, SyncContext, SyncScope } from './context.js';
import { emptySyncCounts, type SyncCounts } from './counts.js';
import { checkBlastRadius } from './guard.js';
import { syncItems } from './items.js';
import { reconcileInFlight } from './reconcile.js';
import { RequestFailed } from './send.js';
import { syncSubitems } from './subitems.js';

export interface SyncOptions {
  runId: number;
  env: string;
  scope?: SyncScope;
  allowMassChange?: boolean;
  touching?: (keys: string[]) => void;
  progress?: (phase: Phase, done: number, total: number) => void;
  now?: () => Date;
  /** The boards as read at the start of the run (see liveBoards); read here when absent. */
  boards?: LiveBoards;
}

export interface LiveBoards {
  items: BoardSnapshot;
  subitems: BoardSnapshot;
}

/** The environment's items and subitems boards as they are now (columns, types, labels, groups). */
export async function liveBoards(s: Settings, client: MondayClient): Promise<LiveBoards> {
  const itemsBoardId = s.monday.items_board_id;
  if (!itemsBoardId) throw new ConfigError('monday.items_board_id is not set for this environment');
  const items = await fetchBoardSnapshot(client, itemsBoardId);
  const subId = s.monday.subitems_board_id ?? subitemsBoardId(items);
  if (!subId) throw new ConfigError(`monday.subitems_board_id is not set and board ${itemsBoardId} has no subitems column`);
  return { items, subitems: await fetchBoardSnapshot(client, subId) };
}

export interface SyncResult {
  counts: SyncCounts;
  stats: MondayStats;
  /** Why the run stopped early (the queue is kept for the next run), if it did. */
  stopped?: { code: string; message: string; resumeAfter?: string };
}

/** What syncBoard hands back to the job: the result, and the items board it read at the start. */
export interface SyncOutcome {
  result: SyncResult;
  itemsBoard: BoardSnapshot;
}

/** Items-board column that holds the business key: configured, or the first key column's mapping. */
export function keyColumnId(s: Settings): string {
  const id = s.mapping.key_column_id ?? s.mapping.columns[s.staging.key_columns[0] ?? ''];
  if (!id) {
    throw new ConfigError(
      `no monday column holds the business key: map "${s.staging.key_columns[0]}" in [mapping.columns] or set mapping.key_column_id (crash recovery looks items up by it)`,
    );
  }
  return id;
}

/**
 * Makes the board match the PENDING rows, in order: reconcile what a crash left in flight,
 * check the blast radius, then groups and items, then subitems.
 */
export async function syncBoard(db: Db, s: Settings, client: MondayClient, opts: SyncOptions): Promise<SyncOutcome> {
  const { items: itemsBoard, subitems: subitemsBoard } = opts.boards ?? (await liveBoards(s, client));
  const now = opts.now ?? (() => new Date());

  const ctx: SyncContext = {
    db,
    s,
    client,
    runId: opts.runId,
    env: opts.env,
    itemsBoard,
    subitemsBoard,
    keyColumnId: keyColumnId(s),
    subitemColumns: subitemColumnIds(s, opts.env),
    counts: emptySyncCounts(),
    scope: opts.scope ?? {},
    allowMassChange: opts.allowMassChange ?? false,
    touching: opts.touching ?? (() => undefined),
    progress: opts.progress ?? (() => undefined),
    now: () => now().toISOString(),
  };

  try {
    ctx.progress('reconcile', 0, 1);
    await reconcileInFlight(ctx);
    await checkBlastRadius(ctx);
    await syncItems(ctx);
    await syncSubitems(ctx);
  } catch (err) {
    if (!(err instanceof RequestFailed)) throw err;
    const cause = err.cause;
    return {
      itemsBoard,
      result: {
        counts: ctx.counts,
        stats: client.stats,
        stopped: {
          code: cause.code,
          message: cause.message,
          resumeAfter: cause instanceof DailyLimitError ? cause.resetsAt.toISOString() : undefined,
        },
      },
    };
  }
  return { itemsBoard, result: { counts: ctx.counts, stats: client.stats } };
}
