import { boardKey, subitemColumnIds, type ResolvedConfig } from '../config/index.js';
import type { Db, JournalOperation } from '../db/index.js';
import { undoOf, formatColumnValues, type MutationOp, type BoardSnapshot, type MondayClient } from '../monday/index.js';
import { columnSources, type SyncedOrder } from '../sync/desired.js';
import { journal } from '../queue/journal.js';
import { restoreArchivedItem, restoreRemovedLine, ROLLBACK_KEY_PREFIX } from '../queue/index.js';

/** A journaled archive (`archive_item` of an order, `archive_subitem` of a line) and the job that did it. */
export interface ArchiveEvent {
  id: number;
  order_key: string | null;
  size: string | null;
  operation: JournalOperation;
  board_id: string | null;
  monday_id: string | null;
  before_json: string | null;
  after_json: string | null;
}

export interface ArchiveStep {
  step: { detail: string; outcome?: 'ROLLED_BACK' | 'ERROR' | 'KEPT'; error?: string };
  event: ArchiveEvent;
}

export interface Recreated {
  operation: JournalOperation;
  order_key: string | null;
  archived_id: string;
  new_id: string;
  reason: string;
}

/** What a rollback's steps run with (rollback.ts builds it; un-archiving shares it). */
export interface RollbackExec {
  db: Db;
  cfg: ResolvedConfig;
  client: MondayClient;
  runId: number;
  targetRunId: number;
  boards: { items: BoardSnapshot; subitems: BoardSnapshot };
  lock: { assertHeld(): void };
}

/** The job id an archive was journaled with (archives journaled before bulk_archive_items have none). */
export function archiveJob(e: Pick<ArchiveEvent, 'after_json'>): string | undefined {
  const job = parse<{ job_id?: unknown }>(e.after_json)?.job_id;
  return typeof job === 'string' && job !== '' ? job : undefined;
}

/**
 * Brings back what the run archived: `undo_action` on each archive's job (the 2026-10 API has no
 * other way), and, where monday says the job can no longer be undone (or the item is gone for
 * good), a new item or subitem created from the journal and the row's last synced values under
 * the same key — reported as recreated, with its new id. An item that is already active again
 * (an interrupted attempt's undo that did run) is not undone twice. Each row goes back to what it
 * was before the run (the order to be archived, the line to be removed), so the next run redoes
 * the archive unless staging changed.
 */
export async function unarchive(x: RollbackExec, steps: ArchiveStep[]): Promise<Recreated[]> {
  const recreated: Recreated[] = [];
  if (steps.length === 0) return recreated;
  const ids = steps.map((p) => p.event.monday_id as string);
  const state = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 100) {
    for (const it of await x.client.itemsByIds(ids.slice(i, i + 100), { columnIds: [] })) state.set(it.id, it.state ?? 'active');
  }
  const batch = x.client.batchSize;
  for (let i = 0; i < steps.length; i += batch) {
    const chunk = steps.slice(i, i + batch);
    const undo = chunk.filter((p) => state.get(p.event.monday_id as string) === 'archived');
    x.lock.assertHeld();
    const results = undo.length ? await x.client.mutate(undo.map((p): MutationOp => ({ kind: 'undo_action', job_id: archiveJob(p.event) as string })), { idempotencyKey: `${ROLLBACK_KEY_PREFIX}${x.runId}-undo-${undo[0]?.event.id}` }) : [];
    for (const p of chunk) {
      const id = p.event.monday_id as string;
      const at = undo.indexOf(p);
      const r = at >= 0 ? results[at] : undefined;
      if (state.get(id) === 'active') {
        p.step.detail += ' — already active on the board';
        await restoreRows(x, p.event, id);
        continue;
      }
      if (r?.ok && undoOf(r.data).success) {
        await restoreRows(x, p.event, id);
        continue;
      }
      const reason = r === undefined ? `the item is ${state.get(id) ?? 'not found'} on the board` : r.ok ? `undo_action: ${undoOf(r.data).message ?? 'refused'}` : `undo_action failed: ${r.error.message}`;
      const made = await recreate(x, p.event, reason).catch((err: unknown) => err as Error);
      if (made instanceof Error) {
        p.step.outcome = 'ERROR';
        p.step.error = `${reason}; recreating it failed: ${made.message}`;
        await journal(x.db.kysely, x.runId, [{ order_key: p.event.order_key, size: p.event.size, operation: p.event.operation, outcome: 'ERROR', board_id: p.event.board_id, monday_id: id, error_message: p.step.error }], now());
        continue;
      }
      p.step.detail += ` — ${reason}: recreated as ${made.new_id} from the journal`;
      recreated.push(made);
    }
    for (const p of chunk) if (p.step.outcome === undefined) p.step.outcome = 'ROLLED_BACK';
  }
  return recreated;

  /** The row as before the run, pointing at `id` (the archived item, restored, or its recreation), and the journal entry. */
  async function restoreRows(c: RollbackExec, e: ArchiveEvent, id: string, lineIds?: Map<string, string>): Promise<void> {
    const t = now();
    const before = parse<{ qty?: number | null; size_position?: number }>(e.before_json) ?? {};
    await c.db.kysely.transaction().execute(async (trx) => {
      const order = e.order_key ? await trx.selectFrom('orders').select('id').where('order_key', '=', e.order_key).executeTakeFirst() : undefined;
      if (order && e.operation === 'archive_item') {
        await restoreArchivedItem(trx, order.id, id, lineIds ?? new Map(), t);
      }
      if (order && e.operation === 'archive_subitem') {
        const size = e.size ?? '';
        const existing = await trx.selectFrom('order_lines').select('id').where('order_id', '=', order.id).where('size', '=', size).executeTakeFirst();
        // The line the sync removed comes back as it was: to be removed, by the next run.
        if (!existing) {
          await restoreRemovedLine(trx, { orderId: order.id, size, sizePosition: before.size_position ?? 0, syncedQty: before.qty ?? null, subitemId: id }, t);
        }
      }
      await journal(trx, c.runId, [{ order_key: e.order_key, size: e.size, operation: e.operation, outcome: 'ROLLED_BACK', board_id: e.board_id, monday_id: id, before: parse(e.after_json), after: { state: 'active', ...(id !== e.monday_id ? { recreated_from: e.monday_id } : {}) } }], t);
    });
  }

  /** A new item (with its lines' subitems) or subitem, from the journal and the row's last synced values. */
  async function recreate(c: RollbackExec, e: ArchiveEvent, reason: string): Promise<Recreated> {
    const s = c.cfg.settings;
    const sub = subitemColumnIds(s, c.cfg.envName);
    const key = `${ROLLBACK_KEY_PREFIX}${c.targetRunId}-recreate-${e.id}`;
    const order = e.order_key ? await c.db.kysely.selectFrom('orders').select(['id', 'synced_fields_json', 'monday_group_id']).where('order_key', '=', e.order_key).executeTakeFirst() : undefined;
    if (!order) throw new Error(`order ${e.order_key ?? '?'} is no longer in the database`);
    const before = parse<{ qty?: number | null; parent_id?: string; group_id?: string | null }>(e.before_json) ?? {};
    const one = async (op: MutationOp, k: string): Promise<string> => {
      c.lock.assertHeld();
      const [r] = await c.client.mutate([op], { idempotencyKey: k });
      if (!r?.ok) throw new Error(r ? r.error.message : 'no answer');
      return (r.data as { id: string }).id;
    };
    const subitem = async (parent: string, size: string, qty: number | null, k: string) => {
      const f = formatColumnValues(c.boards.subitems, { [sub.size]: size, [sub.qty]: qty });
      if (!f.ok) throw new Error(f.errors.map((x) => x.message).join('; '));
      return one({ kind: 'create_subitem', parent_item_id: parent, item_name: s.mapping.subitem_name.replaceAll('{size}', size), column_values: f.values, create_labels_if_missing: false }, k);
    };
    if (e.operation === 'archive_subitem') {
      if (!before.parent_id) throw new Error('the journal holds no parent item for this subitem');
      const id = await subitem(before.parent_id, e.size ?? '', before.qty ?? null, key);
      await restoreRows(c, e, id);
      return { operation: e.operation, order_key: e.order_key, archived_id: e.monday_id as string, new_id: id, reason };
    }
    const synced = parse<SyncedOrder>(order.synced_fields_json);
    if (!synced) throw new Error('the row holds no last synced values');
    const sources: Record<string, unknown> = columnSources({ s }, synced);
    const bk = boardKey(s);
    if (bk.kind === 'whole' && bk.written && e.order_key) sources[bk.columnId] = e.order_key;
    const f = formatColumnValues(c.boards.items, sources, { longTextOverflow: s.mapping.long_text_overflow });
    if (!f.ok) throw new Error(f.errors.map((x) => x.message).join('; '));
    const group = before.group_id ?? order.monday_group_id ?? undefined;
    const id = await one({ kind: 'create_item', board_id: c.boards.items.board_id, item_name: synced.name, ...(group ? { group_id: group } : {}), column_values: f.values, create_labels_if_missing: false }, key);
    const lines = await c.db.kysely.selectFrom('order_lines').select(['size', 'synced_qty']).where('order_id', '=', order.id).where('monday_subitem_id', 'is not', null).orderBy('size_position').execute();
    const made = new Map<string, string>();
    for (const l of lines) made.set(l.size, await subitem(id, l.size, l.synced_qty, `${key}-${l.size}`));
    await restoreRows(c, e, id, made);
    return { operation: e.operation, order_key: e.order_key, archived_id: e.monday_id as string, new_id: id, reason };
  }
}

const now = () => new Date().toISOString();

/** A journal column's JSON, or undefined when absent or unreadable (an old or hand-edited row). */
export function parse<T>(json: string | null): T | undefined {
  if (json === null) return undefined;
  try {
    return JSON.parse(json) as T;
  } catch {
    return undefined;
  }
}
