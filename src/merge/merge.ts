import type { Kysely, Transaction } from 'kysely';
import type { Settings } from '../config/index.js';
import { openMergeWriter, type Db, type Database, type LineRow, type LineUpdate, type MergeWriter, type OrderRow, type OrderUpdate } from '../db/index.js';
import type { ValueFormatter } from './board-values.js';
import { LEGACY_HASH_PREFIX, legacyRowHash } from './hash.js';
import { decideOrder, diffLines, type ExistingLine, type ExistingOrder, type LineChange, type OrderDecision, type Outcome } from './diff.js';
import { addRow, resolveDuplicates, rowLabels, type RowsOfKey } from './duplicates.js';
import { columnsToRead, keyReader, projector, type ProjectedOrder, type Rejection } from './project.js';
import { checkRequiredColumns, resolveSizeColumns, stagingColumns } from './staging-columns.js';
import { isSourceColumn, SOURCE_COLUMNS, type RowSource } from '../ingest/source-columns.js';
import { readStaging, stagingLayout } from './staging-reader.js';
import { emptyCounts, type CaseVariant, type MergeCounts, type MergeSummary, type MergeWarning } from './summary.js';
import { markVanished as queueVanished } from '../queue/index.js';

export interface MergeOptions {
  dryRun?: boolean;
  /** Told about every order that changes (plan shows per-order field diffs from it). */
  onChange?: (order: ProjectedOrder, outcome: Outcome) => void;
  runId?: number;
  now?: () => Date;
  /** Formats values for the items board's columns, so row hashes are over what will be written; without it, as staged. */
  format?: ValueFormatter;
  /**
   * Called inside the merge's transaction at its start and between batches: the run lock's
   * lease renewal (on SQLite nothing else can write while the merge holds the database, so the
   * lease is renewed by the merge itself and committed with it).
   */
  heartbeat?: (trx: Kysely<any>) => Promise<void>;
}

/**
 * Staging → orders and order_lines, in one transaction, without delta tables: each staged
 * order is hashed and compared with what the database holds for its key; only what
 * changed is written, so a re-merge of identical staging writes nothing.
 *
 * Both passes read one snapshot of staging: the transaction runs at the adapter's snapshot
 * isolation and holds staging (PostgreSQL and PGlite: REPEATABLE READ and an advisory lock, so an ingest
 * is refused until the merge ends); a SQLite transaction is one snapshot, and its first
 * statement takes the write lock.
 */
export async function merge(db: Db, s: Settings, opts: MergeOptions = {}): Promise<MergeSummary> {
  const started = Date.now();
  const now = (opts.now ?? (() => new Date()))().toISOString();
  const counts = emptyCounts();
  const rejections: Rejection[] = [];
  const warnings: MergeWarning[] = [];

  const run = async (trx: Transaction<Database>) => {
    const raw = trx as unknown as Kysely<any>;
    const beat = async () => opts.heartbeat?.(raw);
    await beat();
    const physical = await stagingColumns(raw, db.dialect, s.staging.table);
    await db.adapter.holdStaging(raw, s.staging.table);
    const withSource = physical.includes(SOURCE_COLUMNS.seq);
    const all = physical.filter((c) => !isSourceColumn(c));
    const sizeColumns = resolveSizeColumns(s.staging, all);
    checkRequiredColumns(s, all);
    const writer = await openMergeWriter(raw, db.adapter, db.tables, await db.rawHandle?.(raw));
    const table = s.staging.table;

    // Pass 1: keys only, to find duplicates across the whole load before deciding anything.
    const keyLayout = stagingLayout(s.staging.key_columns, false);
    const firstKeyOf = keyReader(s, keyLayout);
    // Also the keys present in staging, even if skipped: they have not vanished.
    const keyRows: RowsOfKey = new Map();
    let rowNumber = 0;
    for await (const batch of readStaging(writer, table, keyLayout, s.staging.batch_size * 5, withSource)) {
      await beat();
      for (const row of batch) {
        rowNumber++;
        const key = firstKeyOf(row);
        if (key !== null) addRow(keyRows, key, rowNumber);
      }
    }
    const { duplicates, chosenRow } = resolveDuplicates(keyRows, s.staging.duplicate_policy);
    counts.duplicate_keys = duplicates.length;
    const caseVariants = variantsByCase(keyRows);
    // Where the duplicate rows sit in their files is learnt in pass 2, which reads every row anyway.
    const duplicateSources = new Map(duplicates.map((d) => [d.key, new Map<number, RowSource | undefined>()]));

    // Pass 2: project, compare, write, a batch at a time.
    const layout = stagingLayout(columnsToRead(s, sizeColumns, all), withSource);
    const keyOf = keyReader(s, layout);
    const proj = projector(s, sizeColumns, layout, opts.format);
    rowNumber = 0;
    let orders: ProjectedOrder[] = [];
    for await (const chunk of readStaging(writer, table, layout, Math.min(writer.readRows, s.staging.batch_size), withSource)) {
      counts.staged_rows += chunk.length;
      for (const row of chunk) {
        rowNumber++;
        const key = keyOf(row);
        if (key !== null) duplicateSources.get(key)?.set(rowNumber, layout.sourceOf(row));
        if (key !== null && chosenRow(key) !== rowNumber) continue;
        const p = proj.project(row, rowNumber, layout.sourceOf(row));
        if (p.ok) {
          orders.push(p.order);
          for (const message of p.order.warnings) warnings.push({ rowNumber, key: p.order.key, message });
        } else if ('blank' in p) counts.blank_rows++;
        else rejections.push(p.rejection);
      }
      if (orders.length < s.staging.batch_size) continue;
      await mergeBatch(writer, s, orders, counts, now, opts);
      orders = [];
      await beat();
    }
    await mergeBatch(writer, s, orders, counts, now, opts);
    for (const d of duplicates) {
      const where = duplicateSources.get(d.key);
      const sources = d.rows.map((r) => where?.get(r));
      if (withSource) d.sources = sources;
      const label = rowLabels(d.rows, sources);
      for (const [i, row] of d.rows.entries()) {
        if (row === d.kept) continue;
        const source = sources[i];
        rejections.push({
          rowNumber: row,
          ...(source ? { source } : {}),
          key: d.key,
          reason:
            d.kept === null
              ? `duplicate key (rows ${label.all}); skipped under duplicate_policy "error"`
              : `duplicate key (rows ${label.all}); row ${label.of(d.kept)} kept under duplicate_policy "${s.staging.duplicate_policy}"`,
        });
      }
    }
    counts.rejected = rejections.length;

    const vanishedKeys = await markVanished(trx, s, keyRows, counts, now, opts);
    return { sizeColumns: sizeColumns.length, vanishedKeys, duplicates, caseVariants };
  };

  const tx = db.kysely.transaction();
  const isolation = db.adapter.snapshotIsolation;
  const result = await (isolation ? tx.setIsolationLevel(isolation) : tx).execute(run);
  rejections.sort((a, b) => a.rowNumber - b.rowNumber);
  warnings.sort((a, b) => a.rowNumber - b.rowNumber);
  return {
    dryRun: Boolean(opts.dryRun),
    sizeColumns: result.sizeColumns,
    counts,
    rejections,
    warnings,
    duplicates: result.duplicates,
    vanishedKeys: result.vanishedKeys,
    caseVariants: result.caseVariants,
    durationMs: Date.now() - started,
  };
}

async function mergeBatch(writer: MergeWriter, s: Settings, orders: ProjectedOrder[], counts: MergeCounts, now: string, opts: MergeOptions): Promise<void> {
  if (orders.length === 0) return;
  const existing = new Map<string, ExistingOrder>();
  for (const r of await writer.ordersByKey(orders.map((o) => o.key))) existing.set(r.order_key, r);

  const inserts: Array<{ p: ProjectedOrder; d: OrderDecision }> = [];
  const updates: Array<{ p: ProjectedOrder; d: OrderDecision; e: ExistingOrder }> = [];
  const rehashed: Array<{ id: number; row_hash: string }> = [];
  for (const p of orders) {
    let e = existing.get(p.key);
    if (e?.row_hash.startsWith(LEGACY_HASH_PREFIX) && e.row_hash.slice(LEGACY_HASH_PREFIX.length) === legacyRowHash(p)) {
      // Synced under the first hash definition and unchanged since: only its hash is rewritten.
      rehashed.push({ id: e.id, row_hash: p.rowHash });
      e = { ...e, row_hash: p.rowHash };
    }
    const d = decideOrder(e, p, s.cancel.never_synced);
    if (!d) {
      counts.unchanged++;
      continue;
    }
    counts[d.outcome]++;
    opts.onChange?.(p, d.outcome);
    if (e) updates.push({ p, d, e });
    else inserts.push({ p, d });
  }
  if (opts.dryRun) {
    for (const { p } of inserts) counts.lines_inserted += p.lines.length;
    await countLineChanges(writer, updates, counts);
    return;
  }

  const updating = new Set(updates.map((u) => u.e.id));
  const hashOnly = rehashed.filter((r) => !updating.has(r.id));
  await writer.setRowHashes(hashOnly);
  counts.rows_written += hashOnly.length;

  const lines: LineRow[] = [];
  if (inserts.length) {
    const ids = await writer.insertOrders(inserts.map(({ p, d }) => orderRow(p, d, now, opts.runId)), now);
    counts.rows_written += ids.length;
    inserts.forEach(({ p, d }, i) => {
      const state = d.state === 'SKIPPED' ? 'SKIPPED' : 'PENDING';
      for (const l of p.lines) lines.push(lineRow(ids[i] as number, l.size, l.position, l.qty, state, now));
    });
  }

  const orderUpdates: OrderUpdate[] = [];
  const lineUpdates: LineUpdate[] = [];
  const lineDeletes: number[] = [];
  if (updates.length) {
    const linesByOrder = await existingLines(writer, updates.map((u) => u.e.id));
    for (const { p, d, e } of updates) {
      const row = orderRow(p, d, now, opts.runId);
      row.pending_since = d.state === 'PENDING' && e.sync_state !== 'PENDING' ? now : e.pending_since;
      orderUpdates.push({ id: e.id, row, resetRetry: d.state === 'PENDING' });
      const changes = diffLines(linesByOrder.get(e.id) ?? [], p.lines, {
        orderSkipped: d.state === 'SKIPPED',
        cancelFlipped: d.outcome === 'cancelled' || d.outcome === 'reactivated',
      });
      collectLineChanges(e.id, changes, now, { lines, lineUpdates, lineDeletes }, counts);
    }
  }
  await writer.updateOrders(orderUpdates);
  counts.rows_written += orderUpdates.length;
  await writer.updateLines(lineUpdates);
  await writer.deleteLines(lineDeletes);
  await writer.insertLines(lines);
  counts.lines_inserted += lines.length;
  counts.rows_written += lineUpdates.length + lineDeletes.length + lines.length;
}

function orderRow(p: ProjectedOrder, d: OrderDecision, now: string, runId: number | undefined): OrderRow {
  return {
    order_key: p.key,
    key_values: JSON.stringify(p.keyValues),
    customer: p.customer,
    customer_season: p.customerSeason,
    aag_season: p.aagSeason,
    order_type: p.orderType,
    total_qty: p.totalQty,
    group_name: p.groupName,
    item_name: p.itemName,
    fields_json: JSON.stringify(p.fields),
    row_hash: p.rowHash,
    lines_hash: p.linesHash,
    is_cancelled: p.cancelled ? 1 : 0,
    in_staging: 1,
    action: d.action,
    sync_state: d.state,
    pending_since: d.state === 'PENDING' ? now : null,
    staging_row: p.source?.row ?? p.rowNumber,
    last_run_id: runId ?? null,
    updated_at: now,
  };
}

function lineRow(orderId: number, size: string, position: number, qty: number, state: 'PENDING' | 'SKIPPED', now: string): LineRow {
  return { order_id: orderId, size, size_position: position, qty, action: 'INSERT', sync_state: state, created_at: now, updated_at: now };
}

async function existingLines(writer: MergeWriter, orderIds: number[]): Promise<Map<number, ExistingLine[]>> {
  const out = new Map<number, ExistingLine[]>();
  for (const r of await writer.linesOf(orderIds)) {
    const list = out.get(r.order_id);
    if (list) list.push(r);
    else out.set(r.order_id, [r]);
  }
  return out;
}

function collectLineChanges(
  orderId: number,
  changes: LineChange[],
  now: string,
  out: { lines: LineRow[]; lineUpdates: LineUpdate[]; lineDeletes: number[] },
  counts: MergeCounts,
): void {
  for (const c of changes) {
    if (c.kind === 'insert') {
      out.lines.push(lineRow(orderId, c.line.size, c.line.position, c.line.qty, c.state === 'SKIPPED' ? 'SKIPPED' : 'PENDING', now));
    } else if (c.kind === 'update') {
      out.lineUpdates.push({ id: c.id, qty: c.qty, action: c.action, sync_state: c.state, updated_at: now });
      if (c.action === 'DELETE') counts.lines_deleted++;
      else counts.lines_updated++;
    } else {
      out.lineDeletes.push(c.id);
      counts.lines_deleted++;
    }
  }
}

async function countLineChanges(writer: MergeWriter, updates: Array<{ p: ProjectedOrder; d: OrderDecision; e: ExistingOrder }>, counts: MergeCounts) {
  if (updates.length === 0) return;
  const linesByOrder = await existingLines(writer, updates.map((u) => u.e.id));
  for (const { p, d, e } of updates) {
    const changes = diffLines(linesByOrder.get(e.id) ?? [], p.lines, {
      orderSkipped: d.state === 'SKIPPED',
      cancelFlipped: d.outcome === 'cancelled' || d.outcome === 'reactivated',
    });
    for (const c of changes) {
      if (c.kind === 'insert') counts.lines_inserted++;
      else if (c.kind === 'delete' || c.action === 'DELETE') counts.lines_deleted++;
      else counts.lines_updated++;
    }
  }
}

/** Orders on record but absent from this load: leave them, or queue their archive. */
async function markVanished(
  trx: Transaction<Database>,
  s: Settings,
  present: RowsOfKey,
  counts: MergeCounts,
  now: string,
  opts: MergeOptions,
): Promise<string[]> {
  // A page of the order list at a time, keeping only the vanished: the list is as long as the
  // staging table, and holding all of it would be a second copy of the key map.
  const size = s.staging.batch_size * 5;
  const pageAfter = (after: number) =>
    trx
      .selectFrom('orders')
      .select(['id', 'order_key', 'monday_item_id', 'sync_state'])
      .where('in_staging', '=', 1)
      .where('id', '>', after)
      .orderBy('id')
      .limit(size)
      .execute();
  const gone: Awaited<ReturnType<typeof pageAfter>> = [];
  for (let after = 0; ; ) {
    const page = await pageAfter(after);
    for (const o of page) if (!present.has(o.order_key)) gone.push(o);
    if (page.length < size) break;
    after = page[page.length - 1]!.id;
  }
  counts.vanished = gone.length;
  if (opts.dryRun) return gone.map((o) => o.order_key);
  await queueVanished(
    trx,
    gone.map((o) => ({
      id: o.id,
      sync_state: o.sync_state,
      // Under "archive", an order that never reached the board (and is not mid-create) is not created just to be archived.
      fate: s.staging.vanished_policy !== 'archive' ? 'keep' : o.monday_item_id !== null ? 'archive' : o.sync_state !== 'IN_FLIGHT' ? 'skip' : 'keep',
    })),
    now,
  );
  counts.rows_written += gone.length;
  return gone.map((o) => o.order_key);
}

/** Groups of distinct keys equal but for letter case, with their staging rows. */
function variantsByCase(keyRows: RowsOfKey): CaseVariant[] {
  // A list only where a second spelling turns up: nearly every key has none.
  const firstSpelling = new Map<string, string>();
  const groups = new Map<string, string[]>();
  for (const key of keyRows.keys()) {
    const folded = key.toLowerCase();
    const first = firstSpelling.get(folded);
    if (first === undefined) {
      firstSpelling.set(folded, key);
      continue;
    }
    const group = groups.get(folded);
    if (group) group.push(key);
    else groups.set(folded, [first, key]);
  }
  return [...groups.values()].map((keys) => ({ keys, rows: keys.flatMap((k) => keyRows.get(k) ?? []).sort((a, b) => a - b) }));
}
