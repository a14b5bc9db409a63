import type { EventOutcome } from '../db/types.js';

/**
 * One row per operation sent (or decided) for an order or line. before/after hold the
 * values the board had and got: rollback replays them backwards, reports count them.
 */
export interface SyncEvent {
  order_key: string | null;
  size?: string | null;
  operation: string;
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
