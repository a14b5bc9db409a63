import type { Kysely } from 'kysely';
import type { Database, EventOutcome, JournalOperation } from '../db/index.js';

/**
 * One row per operation sent (or decided) for an order or line. before/after hold the
 * values the board had and got: rollback replays them backwards, reports count them.
 */
export interface SyncEvent {
  order_key: string | null;
  size?: string | null;
  operation: JournalOperation;
  outcome: EventOutcome;
  board_id?: string | null;
  monday_id?: string | null;
  error_code?: string | null;
  error_message?: string | null;
  column_id?: string | null;
  value?: string | null;
  before?: unknown;
  after?: unknown;
}

export function eventRow(runId: number, e: SyncEvent, now: string) {
  return {
    run_id: runId,
    order_key: e.order_key,
    size: e.size ?? null,
    operation: e.operation,
    outcome: e.outcome,
    board_id: e.board_id ?? null,
    monday_id: e.monday_id ?? null,
    error_code: e.error_code ?? null,
    error_message: e.error_message ?? null,
    column_id: e.column_id ?? null,
    value: e.value ?? null,
    before_json: e.before === undefined ? null : JSON.stringify(e.before),
    after_json: e.after === undefined ? null : JSON.stringify(e.after),
    created_at: now,
  };
}

/** Journal rows go in chunks: one INSERT's parameters stay well under every engine's limit. */
const CHUNK = 200;

/** Appends a run's events to the journal (inside the caller's transaction, with the row changes they describe). */
export async function journal(k: Kysely<Database>, runId: number, events: readonly SyncEvent[], now: string): Promise<void> {
  const rows = events.map((e) => eventRow(runId, e, now));
  for (let i = 0; i < rows.length; i += CHUNK) await k.insertInto('sync_events').values(rows.slice(i, i + CHUNK)).execute();
}

/** Deletes journal events older than the cutoff, never those of the run kept nor of the runs spared (still to be rolled back). */
export async function pruneJournal(k: Kysely<Database>, cutoff: string, keepRunId: number | null, spared: readonly number[]): Promise<void> {
  let q = k.deleteFrom('sync_events').where('created_at', '<', cutoff);
  if (keepRunId !== null) q = q.where('run_id', '!=', keepRunId);
  if (spared.length > 0) q = q.where('run_id', 'not in', spared);
  await q.execute();
}
