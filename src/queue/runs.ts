import { hostname } from 'node:os';
import type { Db } from '../db/connect.js';
import type { RunStatus } from '../db/types.js';
import { StoppedError } from '../errors.js';

export interface RunTotals {
  counts: Record<string, unknown>;
  requests?: number;
  mutations?: number;
  complexityUsed?: number;
  rateLimitWaits?: number;
  retries?: number;
  /** Rows still queued when the run ended. */
  backlog?: { orders: number; lines: number; oldest_pending_minutes: number | null };
}

/** Every command that changes state leaves a run record, written before any work starts. */
export async function startRun(db: Db, env: string, command: string, options: Record<string, unknown> = {}, parentRunId?: number): Promise<number> {
  const row = await db.kysely
    .insertInto('sync_runs')
    .values({
      env,
      command,
      started_at: new Date().toISOString(),
      status: 'RUNNING',
      host: hostname(),
      pid: process.pid,
      parent_run_id: parentRunId ?? null,
      options_json: JSON.stringify(options),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function finishRun(db: Db, runId: number, status: RunStatus, totals: RunTotals, verdict?: string, error?: string): Promise<void> {
  await db.kysely
    .updateTable('sync_runs')
    .set({
      finished_at: new Date().toISOString(),
      status,
      verdict: verdict ?? null,
      error: error ?? null,
      counts_json: JSON.stringify(totals.backlog ? { ...totals.counts, backlog: totals.backlog } : totals.counts),
      requests: totals.requests ?? 0,
      mutations: totals.mutations ?? 0,
      complexity_used: totals.complexityUsed ?? 0,
      rate_limit_waits: totals.rateLimitWaits ?? 0,
      retries: totals.retries ?? 0,
    })
    .where('id', '=', runId)
    .execute();
}

/**
 * Closes the record of a run that threw: ABORTED when a signal stopped it (the work done
 * so far is written back and the next run goes on from there), FAILED otherwise.
 */
export async function finishThrownRun(db: Db, runId: number, err: unknown, totals: RunTotals): Promise<void> {
  const message = err instanceof Error ? err.message : String(err);
  const stopped = err instanceof StoppedError;
  await finishRun(db, runId, stopped ? 'ABORTED' : 'FAILED', totals, stopped ? `aborted: ${message}; the next run resumes` : `failed: ${message}`, message).catch(() => undefined);
}
