import { subitemColumnIds, type Settings } from '../config/index.js';
import type { Db } from '../db/index.js';
import type { BoardSnapshot, ActivityLogRead, MondayClient } from '../monday/index.js';
import { boardKey, keyColumns } from '../sync/index.js';
import type { RunProof } from '../observe/index.js';
import { checkBoard, type BoardCheck } from './verify.js';

/** Events that can leave a board different from what the rows say (a planner's create is found by a full verify). */
const STRUCTURAL = new Set(['update_name', 'move_pulse_into_group', 'archive_pulse', 'delete_pulse']);
/** Entries per page; monday documents no maximum for Board.activity_logs (default 25). */
const PAGE = 500;
/** Past this many pages (or touched items) the log is no shortcut: the whole board is read instead. */
const MAX_PAGES = 20;
const MAX_TOUCHED = 5_000;
/** A window starts this much before the last one ended: our clock and monday's may differ a little. */
const OVERLAP_MS = 15_000;

export interface ActivityTouched {
  /** Items-board item ids whose mapped columns, name, group or state a planner changed. */
  items: Set<string>;
  /** Subitem ids whose size or quantity a planner changed, or that were moved, archived or deleted. */
  subitems: Set<string>;
  events: number;
}

/**
 * The items and subitems the logs say someone other than ordersync touched in a way that matters:
 * a value of a column ordersync writes or reads back, the name, the group, archive or delete. Pure.
 */
export function touchedByActivity(s: Settings, boards: { items: string; subitems: string }, logs: ReadonlyMap<string, readonly ActivityLogRead[]>, ownUserId: string): ActivityTouched {
  const sub = subitemColumnIds(s);
  const itemColumns = new Set([...keyColumns(boardKey(s)), ...Object.values(s.mapping.columns), ...Object.values(s.mapping.read_back), ...(s.cancel.status_column_id ? [s.cancel.status_column_id] : [])]);
  const out: ActivityTouched = { items: new Set(), subitems: new Set(), events: 0 };
  for (const [boardId, entries] of logs) {
    const columns = boardId === boards.items ? itemColumns : new Set([sub.size, sub.qty]);
    const into = boardId === boards.items ? out.items : out.subitems;
    for (const e of entries) {
      out.events++;
      if (e.user_id === ownUserId) continue;
      const data = parseData(e.data);
      const id = data.pulse_id === undefined ? undefined : String(data.pulse_id);
      if (!id) continue;
      if (STRUCTURAL.has(e.event) || (e.event === 'update_column_value' && typeof data.column_id === 'string' && columns.has(data.column_id))) into.add(id);
    }
  }
  return out;
}

function parseData(text: string): { pulse_id?: unknown; column_id?: unknown } {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null ? (v as { pulse_id?: unknown; column_id?: unknown }) : {};
  } catch {
    return {};
  }
}

/**
 * What the run record keeps of a check: how it was chosen, the activity window read (the next
 * check starts where it ended), when the whole board was last verified, and what each part cost.
 */
export type CheckRecord = NonNullable<RunProof['check']>;

/** Milliseconds of a `full_every` setting ("30m", "12h", "7d"). */
export function durationMs(text: string): number {
  const m = /^(\d+)(m|h|d)$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
}

/** The latest check a finished run of this environment recorded. */
async function previousCheck(db: Db, env: string, runId: number): Promise<CheckRecord | undefined> {
  const rows = await db.kysely
    .selectFrom('sync_runs')
    .select('counts_json')
    .where('env', '=', env)
    .where('id', '<', runId)
    .where('status', 'in', ['OK', 'DEGRADED'])
    .where('counts_json', 'like', '%"last_full_at"%')
    .orderBy('id', 'desc')
    .limit(1)
    .execute();
  const counts = rows[0]?.counts_json ? (JSON.parse(rows[0].counts_json) as { verify?: { check?: CheckRecord } }) : undefined;
  return counts?.verify?.check;
}

export interface PostRunCheck {
  check: BoardCheck;
  record: CheckRecord;
}

/**
 * The post-run proof (`verify.after_run`): what this run wrote, read back; with `changed`, plus
 * what planners touched since the previous check (both boards' activity logs); the whole board
 * when `full`, when `full_every` has passed since the last full verify, or when the log is too
 * long to be a shortcut. The first check of an environment starts the clock (`ordersync verify`
 * reads the whole board at any time).
 */
export async function postRunCheck(db: Db, s: Settings, client: MondayClient, itemsBoard: BoardSnapshot, subitemsBoardId: string, ctx: { env: string; runId: number }): Promise<PostRunCheck> {
  const start = client.stats;
  const base = { requests: start.requests, complexityUsed: start.complexityUsed };
  const cost = () => ({ requests: client.stats.requests - base.requests, complexityUsed: client.stats.complexityUsed - base.complexityUsed });
  const now = new Date();
  const mode = s.verify.after_run;
  if (mode === 'written') return { check: await checkBoard(db, s, client, itemsBoard, { runId: ctx.runId }), record: { mode: 'written', api: cost() } };
  const prev = mode === 'changed' ? await previousCheck(db, ctx.env, ctx.runId) : undefined;
  const lastFull = prev?.last_full_at ?? now.toISOString();
  const fullDue = mode === 'full' || (prev !== undefined && now.getTime() - Date.parse(lastFull) >= durationMs(s.verify.full_every));
  const full = async (activity?: CheckRecord['activity']): Promise<PostRunCheck> => {
    const check = await checkBoard(db, s, client, itemsBoard, {});
    return { check, record: { mode: 'full', window: { from: prev?.window?.until ?? now.toISOString(), until: now.toISOString() }, ...(activity ? { activity } : {}), last_full_at: now.toISOString(), api: cost() } };
  };
  if (fullDue) return full();

  // The first check has no window before it: what this run wrote is all it can know of.
  const from = prev?.window?.until ? new Date(Date.parse(prev.window.until) - OVERLAP_MS).toISOString() : now.toISOString();
  const window = { from, until: now.toISOString() };
  const boards = { items: itemsBoard.board_id, subitems: subitemsBoardId };
  const logs = new Map<string, ActivityLogRead[]>();
  let truncated = false;
  let me = '';
  if (prev?.window) {
    // Our own writes are in the log too; the proof checks them already.
    me = (await client.me()).user.id;
    for (let page = 1; ; page++) {
      const got = await client.activityLogs([boards.items, boards.subitems], { from: window.from, to: window.until, limit: PAGE, page });
      for (const [b, entries] of got) logs.set(b, [...(logs.get(b) ?? []), ...entries]);
      if (![...got.values()].some((entries) => entries.length >= PAGE)) break;
      if (page >= MAX_PAGES) {
        truncated = true;
        break;
      }
    }
  }
  const touched = touchedByActivity(s, boards, logs, me);
  const activityCost = cost();
  const activity = { events: touched.events, items: touched.items.size, subitems: touched.subitems.size, requests: activityCost.requests, complexityUsed: activityCost.complexityUsed, truncated };
  if (truncated || touched.items.size + touched.subitems.size > MAX_TOUCHED) return full(activity);
  const check = await checkBoard(db, s, client, itemsBoard, { runId: ctx.runId, items: [...touched.items], subitems: [...touched.subitems] });
  return { check, record: { mode: 'changed', window, activity, last_full_at: lastFull, api: cost() } };
}
