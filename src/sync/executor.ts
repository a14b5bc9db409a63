import type { Settings } from '../config/schema.js';
import type { Db } from '../db/connect.js';
import { storeBoard } from './board-cache.js';
import { fetchBoards, fetchBoardSnapshot, type BoardSnapshot } from '../monday/board-schema.js';
import type { MondayClient, MondayStats } from '../monday/client.js';
import { DailyLimitError } from '../monday/errors.js';
import { resolveBoards, type Phase, type SyncContext, type SyncScope } from './context.js';
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
export async function liveBoards(db: Db, s: Settings, client: MondayClient, env: string): Promise<LiveBoards> {
  if (!s.monday.items_board_id) return fetchBoards(client, s.monday, env);
  // Kept for merge and plan: row hashes format values with the items board's columns, and plan
  // decides the subitems' requests with the subitems board's.
  const boards = await fetchBoards(client, s.monday, env, await readItemsBoard(db, client, s.monday.items_board_id));
  await storeBoard(db, boards.subitems);
  return boards;
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

/** Rows a crash left in flight: what reconcile looks up on the board. */
async function countInFlight(ctx: SyncContext): Promise<number> {
  const k = ctx.db.kysely;
  const orders = await k.selectFrom('orders').select(k.fn.countAll().as('n')).where('sync_state', '=', 'IN_FLIGHT').executeTakeFirst();
  const lines = await k.selectFrom('order_lines').select(k.fn.countAll().as('n')).where('sync_state', '=', 'IN_FLIGHT').executeTakeFirst();
  return Number(orders?.n ?? 0) + Number(lines?.n ?? 0);
}

/** Reads the items board and keeps its columns for merge and plan (row hashes format values with them). */
export async function readItemsBoard(db: Db, client: MondayClient, boardId: string): Promise<BoardSnapshot> {
  const board = await fetchBoardSnapshot(client, boardId);
  await storeBoard(db, board);
  return board;
}

/**
 * Makes the board match the PENDING rows, in order: reconcile what a crash left in flight,
 * check the blast radius, then groups and items, then subitems.
 */
export async function syncBoard(db: Db, s: Settings, client: MondayClient, opts: SyncOptions): Promise<SyncOutcome> {
  const boards = resolveBoards(s, opts.boards ?? (await liveBoards(db, s, client, opts.env)), opts.env);
  const itemsBoard = boards.itemsBoard;
  const now = opts.now ?? (() => new Date());

  const ctx: SyncContext = {
    db,
    s,
    client,
    runId: opts.runId,
    env: opts.env,
    ...boards,
    counts: emptySyncCounts(),
    scope: opts.scope ?? {},
    allowMassChange: opts.allowMassChange ?? false,
    touching: opts.touching ?? (() => undefined),
    progress: opts.progress ?? (() => undefined),
    now: () => now().toISOString(),
  };

  try {
    // Each phase announces its total before its first request; its bar never grows.
    const inFlight = await countInFlight(ctx);
    ctx.progress('reconcile', 0, inFlight);
    await reconcileInFlight(ctx);
    ctx.progress('reconcile', inFlight, inFlight);
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
