import { subitemColumnIds, type ResolvedConfig, type Settings } from '../config/index.js';
import { isCurrent, type Db } from '../db/index.js';
import { ConfigError, OrdersyncError } from '../errors.js';
import { fetchBoardSnapshot, clientFromConfig, type BoardSnapshot, type MondayClient, type MondayItem } from '../monday/index.js';
import {
  boardKey,
  itemsByKey,
  keyColumns,
  DRIFT_KINDS,
  findDrift,
  readBackValues,
  REPAIRABLE,
  requeueDrift,
  storeBoardValues,
  type DriftFinding,
  type DriftKind,
  type ReadBack,
  type RequeueSummary,
  type VerifiedLine,
  type VerifiedOrder,
} from '../sync/index.js';
import type { RunProof } from '../observe/index.js';
import { withRunRecord, refuseUnfinished, type RunRecordSpec } from '../queue/index.js';

export interface VerifyOptions {
  fix?: boolean;
  customer?: string;
  limit?: number;
  envVars?: NodeJS.ProcessEnv;
}

export interface VerifyResult {
  env: string;
  /** Whole board read (items without an order and duplicated keys are looked for too). */
  wholeBoard: boolean;
  checked: { orders: number; lines: number; boardItems: number };
  counts: Record<DriftKind, number>;
  findings: DriftFinding[];
  /** Findings no re-queue can repair (extra subitems, items without an order, duplicated keys). */
  needsAttention: number;
  /** Rows in scope not compared because they are queued (PENDING, IN_FLIGHT) or parked in ERROR: the board may show their old values until the next run (or `retry`). */
  queued: { orders: number; lines: number };
  /** Items on the board that carry the key of an order whose create was in flight when a run stopped: the next run adopts them. */
  inFlight: InFlightItem[];
  /** Orders whose board-owned or read-back values changed on the board (stored in the rows with --fix). */
  readBack: number;
  /** Planner edits of db-owned columns that the repair overwrites (with --fix). */
  overwritten?: DriftFinding[];
  requeued?: RequeueSummary;
  runId?: number;
  api: { requests: number; complexityUsed: number };
}

/** Which synced orders a check compares: all, one customer's, the first N, or one run's writes. */
export interface CheckScope {
  customer?: string;
  limit?: number;
  /** Only orders and lines this run wrote (the post-run proof). */
  runId?: number;
  /** With runId: also the orders of these items, and of the lines holding these subitems (the activity log's). */
  items?: string[];
  subitems?: string[];
  /** Read the whole board even when the scope is narrow (`verify.after_run = "full"`). */
  wholeBoard?: boolean;
}

/** A board item matched by business key to an IN_FLIGHT create whose item id was never written back. */
export interface InFlightItem {
  order_key: string;
  item_id: string;
}

export interface BoardCheck {
  wholeBoard: boolean;
  inFlight: InFlightItem[];
  checked: { orders: number; lines: number; boardItems: number };
  counts: Record<DriftKind, number>;
  findings: DriftFinding[];
  orders: VerifiedOrder[];
  lines: VerifiedLine[];
  /** Board-owned and read-back values that differ from the rows (stored by a run and by `--fix`). */
  readBack: ReadBack[];
}

const QUEUED = ['PENDING', 'IN_FLIGHT', 'ERROR'] as const;

/**
 * Reads the board back and compares it with the synced rows in scope. The whole board is read
 * for an unscoped check (so items without an order and duplicated keys are found); a scoped one
 * reads its orders' items by id, 100 per request.
 */
export async function checkBoard(db: Db, s: Settings, client: MondayClient, itemsBoard: BoardSnapshot, scope: CheckScope = {}): Promise<BoardCheck> {
  let q = db.kysely
    .selectFrom('orders')
    .select(['id', 'order_key', 'monday_item_id', 'monday_group_id', 'group_name', 'is_cancelled', 'synced_fields_json', 'board_values_json'])
    .where('sync_state', '=', 'SYNCED')
    .where('monday_item_id', 'is not', null)
    .orderBy('id');
  // A synced order gone from staging under the archive policy had its item archived by ordersync: gone on purpose.
  if (s.staging.vanished_policy === 'archive') q = q.where('in_staging', '=', 1);
  if (scope.customer !== undefined) q = q.where('customer', '=', scope.customer);
  if (scope.runId !== undefined) {
    const runId = scope.runId;
    const items = scope.items ?? [];
    const subitems = scope.subitems ?? [];
    q = q.where((eb) =>
      eb.or([
        eb('last_run_id', '=', runId),
        eb.exists(eb.selectFrom('order_lines as l').select('l.id').whereRef('l.order_id', '=', 'orders.id').where('l.last_run_id', '=', runId)),
        ...(items.length ? [eb('monday_item_id', 'in', items)] : []),
        ...(subitems.length ? [eb.exists(eb.selectFrom('order_lines as t').select('t.id').whereRef('t.order_id', '=', 'orders.id').where('t.monday_subitem_id', 'in', subitems))] : []),
      ]),
    );
  }
  if (scope.limit !== undefined) q = q.limit(scope.limit);
  const orders = (await q.execute()) as VerifiedOrder[];
  const lines: VerifiedLine[] = [];
  const knownSubitems = new Set<string>();
  for (let i = 0; i < orders.length; i += 500) {
    const ids = orders.slice(i, i + 500).map((o) => o.id);
    const rows = await db.kysely
      .selectFrom('order_lines')
      .select(['id', 'order_id', 'size', 'monday_subitem_id', 'synced_qty', 'sync_state'])
      .where('order_id', 'in', ids)
      .where('monday_subitem_id', 'is not', null)
      .execute();
    for (const { sync_state, ...line } of rows) {
      if (sync_state === 'SYNCED') lines.push(line as VerifiedLine);
      else knownSubitems.add(line.monday_subitem_id as string);
    }
  }

  const onBoard = new Set(itemsBoard.columns.map((c) => c.id));
  const bk = boardKey(s);
  const columnIds = [...new Set([...keyColumns(bk), ...Object.values(s.mapping.columns), ...Object.values(s.mapping.read_back), ...(s.cancel.status_column_id ? [s.cancel.status_column_id] : [])])].filter((id) => onBoard.has(id));
  const subitemColumns = subitemColumnIds(s);
  const read = { columnIds, withSubitems: true, subitemColumnIds: [subitemColumns.size, subitemColumns.qty] };
  const wholeBoard = scope.wholeBoard ?? (scope.customer === undefined && scope.limit === undefined && scope.runId === undefined);
  const active = (items: MondayItem[]) => items.filter((i) => i.state !== 'archived' && i.state !== 'deleted');
  let items: MondayItem[] = [];
  // monday's largest page: a whole-board read costs one request per 500 items (well under 5M complexity each).
  if (wholeBoard) items = await client.boardItems(itemsBoard.board_id, { ...read, pageSize: 500 });
  else if (orders.length > 0) items = active(await client.itemsByIds(orders.map((o) => o.monday_item_id), read));
  const seen = new Set(items.map((i) => i.id));
  const gone = orders.map((o) => o.monday_item_id).filter((id) => !seen.has(id));
  // The API lists active items only; asking for the missing ones by id tells archived from deleted.
  const goneStates = new Map((gone.length > 0 ? await client.itemsByIds(gone, { columnIds: [] }) : []).map((i) => [i.id, i.state ?? 'not found']));

  // Only a whole-board read looks for items no order has: every row's item is an order's.
  const knownItems = new Set<string>();
  const inFlight: InFlightItem[] = [];
  if (wholeBoard) {
    const rows = await db.kysely.selectFrom('orders').select('monday_item_id').where('monday_item_id', 'is not', null).where('sync_state', '!=', 'SYNCED').execute();
    for (const r of rows) knownItems.add(r.monday_item_id as string);
    // A create monday ran whose answer a killed run never wrote back: the item is that order's,
    // matched by key as reconcile will match it when the next run adopts it.
    const creates = await db.kysely.selectFrom('orders').select('order_key').where('sync_state', '=', 'IN_FLIGHT').where('monday_item_id', 'is', null).execute();
    const byKey = itemsByKey(bk, items, () => true);
    for (const { order_key } of creates) {
      const item = byKey.get(order_key)?.[0];
      if (!item) continue;
      knownItems.add(item.id);
      inFlight.push({ order_key, item_id: item.id });
    }
  }
  const findings = findDrift({ s, itemsBoard, boardKey: bk, orders, lines, items, goneStates, wholeBoard, known: { items: knownItems, subitems: knownSubitems } });
  const counts = Object.fromEntries(DRIFT_KINDS.map((k) => [k, 0])) as Record<DriftKind, number>;
  for (const f of findings) counts[f.kind]++;
  const readBack = readBackValues(s, orders, items);
  return { wholeBoard, inFlight, checked: { orders: orders.length, lines: lines.length, boardItems: items.length }, counts, findings, orders, lines, readBack };
}

/** Rows of the scope (all, or one customer's) that a check does not compare: queued for the next run or parked in ERROR. */
async function queuedRows(db: Db, customer: string | undefined): Promise<{ orders: number; lines: number }> {
  let orders = db.kysely.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).where('sync_state', 'in', QUEUED);
  let lines = db.kysely.selectFrom('order_lines as l').innerJoin('orders as o', 'o.id', 'l.order_id').select((eb) => eb.fn.countAll<number>().as('n')).where('l.sync_state', 'in', QUEUED);
  if (customer !== undefined) {
    orders = orders.where('customer', '=', customer);
    lines = lines.where('o.customer', '=', customer);
  }
  return { orders: Number((await orders.executeTakeFirst())?.n ?? 0), lines: Number((await lines.executeTakeFirst())?.n ?? 0) };
}

/**
 * `ordersync verify`: reads the boards back and compares them with what each synced order
 * row says the board shows. Read-only unless `fix`, which re-queues the drifted rows under the
 * environment's run lock so the next run repairs them through the normal, journaled path.
 */
export async function verifyBoard(db: Db, cfg: ResolvedConfig, opts: VerifyOptions = {}): Promise<VerifyResult> {
  if (!(await isCurrent(db))) {
    throw new OrdersyncError(`the database schema is not current; run \`ordersync migrate up --env ${cfg.envName}\``);
  }
  const s = cfg.settings;
  const boardId = s.monday.items_board_id;
  if (!boardId) throw new ConfigError('monday.items_board_id is not set for this environment');
  const { client } = clientFromConfig(cfg, {}, opts.envVars);
  const itemsBoard = await fetchBoardSnapshot(client, boardId);
  const check = await checkBoard(db, s, client, itemsBoard, { customer: opts.customer, limit: opts.limit });
  const { findings, counts } = check;
  const result: VerifyResult = {
    env: cfg.envName,
    wholeBoard: check.wholeBoard,
    checked: check.checked,
    counts,
    findings,
    needsAttention: findings.filter((f) => !REPAIRABLE.has(f.kind)).length,
    queued: await queuedRows(db, opts.customer),
    inFlight: check.inFlight,
    readBack: check.readBack.length,
    api: { requests: 0, complexityUsed: 0 },
  };

  if (opts.fix) {
    const record: RunRecordSpec = {
      env: cfg.envName,
      command: 'verify:fix',
      options: { customer: opts.customer ?? null, limit: opts.limit ?? null },
      // Mid-rollback or mid-baseline the board is half-way on purpose: re-queueing it would undo the undo.
      refuse: () => refuseUnfinished(db, cfg.envName),
    };
    await withRunRecord(db, record, async (run) => {
      result.runId = run.id;
      run.onThrow(() => ({ counts: { verify: runProof(check) } }));
      const now = new Date().toISOString();
      result.requeued = await requeueDrift(db, s, findings, check.orders, check.lines, now);
      await storeBoardValues(db, check.readBack, now);
      // The planners' values in db-owned columns that the next run writes over.
      result.overwritten = findings.filter((f) => f.kind === 'column_changed' || f.kind === 'name_changed');
      const stats = client.stats;
      const verdict = `${findings.length} finding(s); re-queued ${result.requeued.orders} order(s) and ${result.requeued.lines} line(s) for the next run${result.overwritten.length ? `, overwriting ${result.overwritten.length} planner edit(s)` : ''}${check.readBack.length ? `; read back ${check.readBack.length} order(s)' board-owned values` : ''}`;
      return { status: result.needsAttention > 0 ? 'DEGRADED' : 'OK', totals: { counts: { verify: runProof(check), requeued: result.requeued, overwritten: result.overwritten.slice(0, 100) }, requests: stats.requests, complexityUsed: stats.complexityUsed }, verdict, value: undefined };
    });
  }
  const stats = client.stats;
  result.api = { requests: stats.requests, complexityUsed: stats.complexityUsed };
  // What the repair re-queued is queued now.
  if (opts.fix) result.queued = await queuedRows(db, opts.customer);
  return result;
}

/** What a run record keeps of a check: what was compared, counts per kind, the first 100 findings. */

export function runProof(p: BoardCheck, check?: RunProof['check']): RunProof {
  return { checked: p.checked, counts: p.counts, findings: p.findings.slice(0, 100), read_back: p.readBack.length, ...(check ? { check } : {}) };
}
