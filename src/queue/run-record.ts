import type { Db, RunCommand, RunStatus } from '../db/index.js';
import { StoppedError } from '../errors.js';
import { withRunLock, type RunLockHandle, type RunLockOptions } from './run-lock.js';
import { closeAbandonedRuns, finishRun, startRun, type AbandonedRuns, type RunTotals } from './runs.js';

export interface RunRecordSpec {
  env: string;
  /** What the record's `command` shows (`run`, `rollback`, `cutover:baseline` …). */
  command: RunCommand;
  options?: Record<string, unknown>;
  parentRunId?: number;
  lock?: RunLockOptions;
  /** Under the lock, before the record is written: work another job must finish first throws here and leaves no record. */
  refuse?: () => Promise<void>;
  /** Records of killed processes this job closes once its own record is written. */
  abandoned?: AbandonedRuns;
  /** What finishes the work when this job stops or fails, when it is not simply the next run. */
  resume?: string;
}

/** Given to the job: its record and the lock it runs under. */
export interface RunRecord {
  readonly id: number;
  readonly lock: RunLockHandle;
  /**
   * What the record of this job keeps if it throws, asked for only then: the totals so far,
   * after saving what must outlive it (the API log).
   */
  onThrow(totals: () => RunTotals | Promise<RunTotals>): void;
}

/** How the job ended, for its record, and what it returns. */
export interface RunEnd<T> {
  status: RunStatus;
  totals: RunTotals;
  verdict?: string;
  error?: string;
  value: T;
}

/**
 * Every job that changes state runs here: under the environment's run lock, its record is
 * written before any work starts and closed whatever happens (OK, DEGRADED, FAILED, or ABORTED
 * by a signal), so no record outlives its process RUNNING except by a kill, and the next job
 * to take the lock closes that one.
 */
export async function withRunRecord<T>(db: Db, spec: RunRecordSpec, fn: (run: RunRecord) => Promise<RunEnd<T>>): Promise<T> {
  return withRunLock(
    db,
    spec.env,
    async (lock) => {
      await spec.refuse?.();
      const id = await startRun(db, spec.env, spec.command, spec.options, spec.parentRunId);
      let soFar: () => RunTotals | Promise<RunTotals> = () => ({ counts: {} });
      try {
        if (spec.abandoned) await closeAbandonedRuns(db, spec.env, id, spec.abandoned);
        const end = await fn({ id, lock, onThrow: (totals) => void (soFar = totals) });
        await finishRun(db, id, end.status, end.totals, end.verdict, end.error);
        return end.value;
      } catch (err) {
        const totals = await Promise.resolve()
          .then(soFar)
          .catch(() => ({ counts: {} }));
        await finishThrown(db, id, err, totals, spec.resume);
        throw err;
      }
    },
    spec.lock,
  );
}

/**
 * ABORTED when a signal stopped the job (what it did so far is written back, and the next
 * run, or `resume`, goes on from there), FAILED otherwise. The signal's error learns which
 * record it closed, for the message the CLI prints.
 */
async function finishThrown(db: Db, runId: number, err: unknown, totals: RunTotals, resume: string | undefined): Promise<void> {
  const message = err instanceof Error ? err.message : String(err);
  const text = resume ? `${message}; ${resume}` : message;
  const stopped = err instanceof StoppedError;
  if (stopped) Object.assign(err, { runId, resume });
  await finishRun(db, runId, stopped ? 'ABORTED' : 'FAILED', totals, stopped ? `aborted: ${message}; ${resume ?? 'the next run resumes'}` : `failed: ${text}`, text).catch(() => undefined);
}
