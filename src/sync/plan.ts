import type { Settings } from '../config/index.js';
import type { Db } from '../db/index.js';
import { merge, type FieldValue, type MergeSummary, type Outcome, type ProjectedOrder } from '../merge/index.js';
import { clientSettings, MONDAY_LIMITS, type BoardSnapshot } from '../monday/index.js';
import { storedBoards, storedFormatter } from './board-cache.js';
import { resolveBoards } from './context.js';
import { rowsAfterMerge } from './plan-rows.js';
import { planBoard, type BoardPlan } from './planner.js';

export interface FieldDiff {
  field: string;
  from: FieldValue | undefined;
  to: FieldValue;
}

export interface OrderPlan {
  key: string;
  outcome: Outcome;
  group: string;
  diffs: FieldDiff[];
}

export interface SyncPlan {
  merge: MergeSummary;
  /** Rows already queued before this merge (an earlier run stopped, or failed rows retrying). */
  backlog: { orders: number; lines: number };
  /**
   * What the run's sync does, decided by the run's own planner against the boards as last read
   * (by a run, or the snapshot files); null when no board has been read yet.
   */
  sync: BoardPlan | null;
  estimate: {
    /** Orders the items phase sends or settles. */
    itemMutations: number;
    subitemMutations: number;
    groupsToCreate: number;
    /** Mutations sent (an update that also moves its item sends two). */
    mutations: number;
    requests: number;
    complexity: number;
    minutes: number;
  };
  orders: OrderPlan[];
}

const { mutationCost: MUTATION_COST, readCost: READ_COST } = MONDAY_LIMITS;

/**
 * What `run` would do after a merge, computed from the database and the boards as last read:
 * the merge runs as a dry run, the sync's planner decides every row's requests, and nothing is
 * written anywhere, nor is monday called.
 */
export async function planSync(db: Db, s: Settings, opts: { diffs?: boolean; snapshots?: { items?: BoardSnapshot; subitems?: BoardSnapshot } } = {}): Promise<SyncPlan> {
  const changed: Array<{ p: ProjectedOrder; outcome: Outcome }> = [];
  const summary = await merge(db, s, { format: await storedFormatter(db, s), dryRun: true, onChange: (p, outcome) => changed.push({ p, outcome }) });
  const changedKeys = new Set(changed.map((o) => o.p.key));

  const pendingOrders = await db.kysely.selectFrom('orders').select('order_key').where('sync_state', '=', 'PENDING').execute();
  const backlogOrders = pendingOrders.filter((o) => !changedKeys.has(o.order_key)).length;
  const backlogLines = Number(
    (await db.kysely.selectFrom('order_lines').select((eb) => eb.fn.countAll<number>().as('n')).where('sync_state', '=', 'PENDING').executeTakeFirst())?.n ?? 0,
  );

  const stored = await storedBoards(db, s);
  const items = stored.items ?? opts.snapshots?.items;
  const subitems = stored.subitems ?? opts.snapshots?.subitems;
  let sync: BoardPlan | null = null;
  if (items && subitems) {
    const { orders, lines } = await rowsAfterMerge(db, s, changed.map((c) => c.p), summary.vanishedKeys);
    const cached = await db.kysely.selectFrom('monday_groups').select(['title', 'group_id']).where('board_id', '=', items.board_id).execute();
    const known = new Map([...items.groups.map((g) => [g.title, g.id] as const), ...cached.map((g) => [g.title, g.group_id] as const)]);
    const now = new Date().toISOString();
    sync = planBoard({ ...resolveBoards(s, { items, subitems }), s, now: () => now }, orders, lines, known);
  }

  const estimate = sync ? fromPlan(s, sync) : fromMergeCounts(s, summary, backlogOrders, backlogLines);
  return {
    merge: summary,
    backlog: { orders: backlogOrders, lines: backlogLines },
    sync,
    estimate,
    orders: opts.diffs ? await withDiffs(db, changed.map((c) => ({ key: c.p.key, outcome: c.outcome, group: c.p.groupName, fields: c.p.fields }))) : [],
  };
}

function fromPlan(s: Settings, p: BoardPlan): SyncPlan['estimate'] {
  const { batchSize: batch, complexityPerMinute } = clientSettings(s.monday);
  const itemOps = p.items.reduce((n, i) => n + i.mutations, 0);
  const subitemOps = p.lines.filter((l) => l.operation !== 'unchanged' && l.operation !== 'failed').length;
  const groups = p.groupsToCreate.length;
  const mutations = itemOps + subitemOps + groups;
  const reads = mutations > 0 ? 2 : 0;
  const requests = Math.ceil(itemOps / batch) + Math.ceil(subitemOps / batch) + Math.ceil(groups / batch) + reads;
  const complexity = mutations * MUTATION_COST + reads * READ_COST;
  const itemMutations = p.items.filter((i) => i.operation !== 'failed').length;
  return { itemMutations, subitemMutations: subitemOps, groupsToCreate: groups, mutations, requests, complexity, minutes: complexity / complexityPerMinute };
}

/** Without a board read there is nothing to plan against: the merge's counts are all there is. */
function fromMergeCounts(s: Settings, m: MergeSummary, backlogOrders: number, backlogLines: number): SyncPlan['estimate'] {
  const c = m.counts;
  const itemMutations = c.new + c.updated + c.cancelled + c.reactivated + backlogOrders + (s.staging.vanished_policy === 'archive' ? c.vanished : 0);
  const subitemMutations = c.lines_inserted + c.lines_updated + c.lines_deleted + backlogLines;
  const { batchSize: batch, complexityPerMinute } = clientSettings(s.monday);
  const reads = itemMutations + subitemMutations > 0 ? 2 : 0;
  const requests = Math.ceil(itemMutations / batch) + Math.ceil(subitemMutations / batch) + reads;
  const complexity = (itemMutations + subitemMutations) * MUTATION_COST + reads * READ_COST;
  return { itemMutations, subitemMutations, groupsToCreate: 0, mutations: itemMutations + subitemMutations, requests, complexity, minutes: complexity / complexityPerMinute };
}

async function withDiffs(db: Db, changed: Array<{ key: string; outcome: Outcome; group: string; fields: Record<string, FieldValue> }>): Promise<OrderPlan[]> {
  const synced = new Map<string, Record<string, FieldValue>>();
  for (let i = 0; i < changed.length; i += 500) {
    const rows = await db.kysely
      .selectFrom('orders')
      .select(['order_key', 'synced_fields_json'])
      .where('order_key', 'in', changed.slice(i, i + 500).map((o) => o.key))
      .execute();
    for (const r of rows) if (r.synced_fields_json) synced.set(r.order_key, (JSON.parse(r.synced_fields_json) as { fields: Record<string, FieldValue> }).fields);
  }
  return changed.map((o) => {
    const before = synced.get(o.key);
    const diffs = Object.entries(o.fields)
      .filter(([k, v]) => JSON.stringify(before?.[k] ?? null) !== JSON.stringify(v))
      .map(([field, to]) => ({ field, from: before?.[field], to }));
    return { key: o.key, outcome: o.outcome, group: o.group, diffs };
  });
}
