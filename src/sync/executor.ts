import type { Settings } from '../config/index.js';
import type { Db } from '../db/index.js';
import { MondayError, type BoardSnapshot, type MondayStats } from '../monday/index.js';
import { stopOf, type Stop } from './applier.js';
import type { BoardApi } from './board-api.js';
import { storeBoard } from './board-cache.js';
import { resolveBoards, type Phase, type SyncContext, type SyncScope } from './context.js';
import { emptySyncCounts, type SyncCounts } from './counts.js';
import { checkBlastRadius } from './guard.js';
import { syncItems } from './items.js';
import { plannedLabels } from './labels.js';
import { reconcileInFlight } from './reconcile.js';
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
export async function liveBoards(db: Db, s: Settings, board: BoardApi, env: string): Promise<LiveBoards> {
  if (!s.monday.items_board_id) return board.readBoards(s.monday, env);
  // Kept for merge and plan: row hashes format values with the items board's columns, and plan
  // decides the subitems' requests with the subitems board's.
  const items = await board.readBoard(s.monday.items_board_id);
  await storeBoard(db, items);
  const boards = await board.readBoards(s.monday, env, items);
  await storeBoard(db, boards.subitems);
  return boards;
}

export interface SyncResult {
  counts: SyncCounts;
  stats: MondayStats;
  /** Why the run stopped early (the queue is kept for the next run), if it did. */
  stopped?: Stop;
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

/**
 * Makes the board match the PENDING rows, in order: reconcile what a crash left in flight,
 * check the blast radius, then groups and items, then subitems.
 */
export async function syncBoard(db: Db, s: Settings, board: BoardApi, opts: SyncOptions): Promise<SyncOutcome> {
  const boards = resolveBoards(s, opts.boards ?? (await liveBoards(db, s, board, opts.env)), opts.env);
  const itemsBoard = boards.itemsBoard;
  const now = opts.now ?? (() => new Date());

  const ctx: SyncContext = {
    db,
    s,
    board,
    runId: opts.runId,
    env: opts.env,
    ...boards,
    labels: plannedLabels(),
    counts: emptySyncCounts(),
    scope: opts.scope ?? {},
    allowMassChange: opts.allowMassChange ?? false,
    touching: opts.touching ?? (() => undefined),
    progress: opts.progress ?? (() => undefined),
    now: () => now().toISOString(),
  };

  // Each phase announces its total before its first request; its bar never grows.
  const inFlight = await countInFlight(ctx);
  ctx.progress('reconcile', 0, inFlight);
  let stopped: Stop | undefined;
  try {
    await reconcileInFlight(ctx);
    ctx.progress('reconcile', inFlight, inFlight);
    await checkBlastRadius(ctx);
    // A request monday refused ends the run here, the rest kept queued for the next one.
    stopped = (await syncItems(ctx)) ?? (await syncSubitems(ctx));
  } catch (err) {
    // A read or a group creation monday refused as a whole (daily cap, budget, retries spent)
    // stops the run as a refused batch does, with what was done so far counted. No row was
    // marked by it: rows in flight stay so for the next reconcile, and a group it may have
    // created is found by title, never created twice.
    if (!(err instanceof MondayError)) throw err;
    stopped = stopOf(err);
  }
  return { itemsBoard, result: { counts: ctx.counts, stats: board.stats, ...(stopped ? { stopped } : {}) } };
}
