import type { Settings } from '../config/schema.js';
import type { Db } from '../db/connect.js';
import { merge, type FieldValue, type MergeSummary, type Outcome } from '../merge/index.js';
import { clientSettings } from '../monday/from-config.js';
import { MONDAY_LIMITS } from '../monday/limits.js';
import { storedFormatter } from './board-cache.js';

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
  estimate: {
    itemMutations: number;
    subitemMutations: number;
    groupsToCreate: number;
    requests: number;
    complexity: number;
    minutes: number;
  };
  orders: OrderPlan[];
}

const { mutationCost: MUTATION_COST, readCost: READ_COST } = MONDAY_LIMITS;

/**
 * What `sync` would do after a merge, computed from the database alone: the merge runs as
 * a dry run and nothing is written anywhere, nor is monday called.
 */
export async function planSync(db: Db, s: Settings, opts: { diffs?: boolean } = {}): Promise<SyncPlan> {
  const changed: Array<{ key: string; outcome: Outcome; group: string; fields: Record<string, FieldValue> }> = [];
  const summary = await merge(db, s, {
    format: await storedFormatter(db, s),
    dryRun: true,
    onChange: (p, outcome) => changed.push({ key: p.key, outcome, group: p.groupName, fields: opts.diffs ? p.fields : {} }),
  });
  const c = summary.counts;
  const changedKeys = new Set(changed.map((o) => o.key));

  const pendingOrders = await db.kysely.selectFrom('orders').select('order_key').where('sync_state', '=', 'PENDING').execute();
  const backlogOrders = pendingOrders.filter((o) => !changedKeys.has(o.order_key)).length;
  const backlogLines = Number(
    (await db.kysely.selectFrom('order_lines').select((eb) => eb.fn.countAll<number>().as('n')).where('sync_state', '=', 'PENDING').executeTakeFirst())?.n ?? 0,
  );

  const known = new Set(
    (await db.kysely.selectFrom('monday_groups').select('title').where('board_id', '=', s.monday.items_board_id ?? '').execute()).map((g) => g.title),
  );
  const groupsToCreate = new Set(changed.filter((o) => o.outcome === 'new' && !known.has(o.group)).map((o) => o.group)).size;

  const itemMutations = c.new + c.updated + c.cancelled + c.reactivated + backlogOrders + (s.staging.vanished_policy === 'archive' ? c.vanished : 0);
  const subitemMutations = c.lines_inserted + c.lines_updated + c.lines_deleted + backlogLines;
  const { batchSize: batch, complexityPerMinute } = clientSettings(s.monday);
  const reads = itemMutations + subitemMutations > 0 ? 2 : 0;
  const requests = Math.ceil(itemMutations / batch) + Math.ceil(subitemMutations / batch) + Math.ceil(groupsToCreate / batch) + reads + (groupsToCreate ? 1 : 0);
  const complexity = (itemMutations + subitemMutations + groupsToCreate) * MUTATION_COST + reads * READ_COST;

  let orders: OrderPlan[] = [];
  if (opts.diffs) orders = await withDiffs(db, changed);
  return {
    merge: summary,
    backlog: { orders: backlogOrders, lines: backlogLines },
    estimate: { itemMutations, subitemMutations, groupsToCreate, requests, complexity, minutes: complexity / complexityPerMinute },
    orders,
  };
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
