import type { Db, RunStatus } from '../db/index.js';
import { lastRuns, type RunRow } from './queries.js';
import { recordsOf, type Records } from './verdict.js';

/** One line of `ordersync runs` / `status --history`: what a run was, did and cost. */
export interface RunSummary {
  id: number;
  command: string;
  status: RunStatus;
  started_at: string;
  finished_at: string | null;
  duration_s: number | null;
  records: Records;
  rejected_rows: number;
  requests: number;
  complexity_used: number;
  rate_limit_waits: number;
  verdict: string | null;
  error: string | null;
}

export function runSummary(r: RunRow): RunSummary {
  return {
    id: r.id,
    command: r.command,
    status: r.status,
    started_at: r.started_at,
    finished_at: r.finished_at,
    duration_s: r.duration_s,
    records: recordsOf(r.counts.sync as Parameters<typeof recordsOf>[0]),
    rejected_rows: Number(r.counts.rejected_rows ?? 0),
    requests: r.requests,
    complexity_used: r.complexity_used,
    rate_limit_waits: r.rate_limit_waits,
    verdict: r.verdict,
    error: r.error,
  };
}

/** The environment's runs, newest first: the last `limit`, or those started within `sinceDays`. */
export async function runHistory(db: Db, env: string, opts: { limit?: number; sinceDays?: number; now?: Date } = {}): Promise<RunSummary[]> {
  const since = opts.sinceDays === undefined ? undefined : new Date((opts.now ?? new Date()).getTime() - opts.sinceDays * 86_400_000).toISOString();
  return (await lastRuns(db, { env, limit: opts.limit ?? 50, since })).map(runSummary);
}
