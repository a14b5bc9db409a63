import { hostname } from 'node:os';
import type { Db, RunCommand, RunStatus } from '../db/index.js';

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
export async function startRun(db: Db, env: string, command: RunCommand, options: Record<string, unknown> = {}, parentRunId?: number): Promise<number> {
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

/** Which RUNNING records of an environment a job closes when it starts, and what it tells them. */
export interface AbandonedRuns {
  /** Only this command's records (default: every record of the environment). */
  command?: RunCommand;
  /** Only the records under this parent run. */
  parentRunId?: number;
  /** How the process ended: `before the rollback finished`. */
  ended: string;
  /** What the job closing them does about it, given its own run id. */
  then: (runId: number) => string;
}

/**
 * Records of the environment still RUNNING while a job holds its run lock belong to processes
 * that died (killed, OOM, host lost): every job keeps the lock for its record's whole life.
 * Closing them keeps history, dashboards and alerts from showing them running forever.
 */
export async function closeAbandonedRuns(db: Db, env: string, by: number, a: AbandonedRuns): Promise<void> {
  let q = db.kysely
    .updateTable('sync_runs')
    .set({
      status: 'ABORTED',
      finished_at: new Date().toISOString(),
      verdict: `aborted: the process ended ${a.ended}`,
      error: `the process ended ${a.ended} (killed or crashed); ${a.then(by)}`,
    })
    .where('env', '=', env)
    .where('status', '=', 'RUNNING')
    .where('id', '!=', by);
  if (a.command !== undefined) q = q.where('command', '=', a.command);
  if (a.parentRunId !== undefined) q = q.where('parent_run_id', '=', a.parentRunId);
  await q.execute();
}
