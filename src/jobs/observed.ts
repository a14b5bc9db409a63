import type { ResolvedConfig } from '../config/index.js';
import { databaseTarget, privilegeError, type Db } from '../db/index.js';
import { ExitCode, OrdersyncError, StoppedError, exitCodeOfError } from '../errors.js';
import { createRunObserver, type ObserverOptions } from '../observe/progress.js';
import { afterRun, alertRefusal, type AlertEvaluation, type NotifyResult } from '../observe/index.js';
import { runJob, type JobOptions, type JobResult } from './run.js';

export interface ObservedRun {
  result: JobResult;
  alerts: AlertEvaluation & { webhook: NotifyResult };
  exitCode: ExitCode;
}

/**
 * `runJob` with the operations layer around it: progress (bars or JSON logs), then the
 * [alerts] evaluation and webhook. The caller prints the summary (see formatSummaryTable).
 * When the job throws, alerts are still evaluated (consecutive failures) and the error rethrown.
 */
export async function runObserved(db: Db, cfg: ResolvedConfig, job: JobOptions, out: ObserverOptions = {}): Promise<ObservedRun> {
  const observer = createRunObserver({ complexityPerMinute: cfg.settings.monday.complexity_per_minute, ...out });
  observer.logger?.info({ env: cfg.envName, command: job.command }, 'run started');
  let result: JobResult;
  try {
    result = await runJob(db, cfg, { ...job, progress: observer.progress, onWait: observer.wait });
  } catch (caught) {
    // A GRANT the role lacks is the configuration error the command exits with; the alert says the same.
    const err = privilegeError(caught, cfg, databaseTarget(cfg, job.envVars)) ?? caught;
    observer.end(err instanceof Error ? err.message : String(err));
    const locked = err instanceof OrdersyncError && err.exitCode === ExitCode.locked;
    const message = err instanceof Error ? err.message : String(err);
    // Another run holding the lock is the scheduler overlapping, not a failure.
    if (locked) observer.logger?.info({ reason: message, locked }, 'run skipped: another run holds the lock');
    else if (err instanceof StoppedError) observer.logger?.warn({ signal: err.signal, run_id: err.runId, status: 'ABORTED' }, 'run stopped by a signal');
    else observer.logger?.error({ err: message }, 'run failed');
    if (!locked) {
      const thrown = exitCodeOfError(err);
      // A database that went away mid-run cannot be asked for the failure streak: page the error itself.
      const alerts = await afterRun(db, cfg, null, { envVars: job.envVars, thrown }).catch(() => alertDatabaseUnavailable(cfg, err, job.envVars));
      if (alerts.alerts.length) observer.logger?.warn({ alerts: alerts.alerts, webhook: alerts.webhook }, 'alerts');
      if (alerts.webhook.error) observer.logger?.error({ error: alerts.webhook.error }, 'alert webhook failed');
    }
    throw err;
  }
  const stopped = result.sync?.stopped;
  observer.end(stopped ? `${stopped.code}: ${stopped.message}` : undefined);
  const alerts = await afterRun(db, cfg, result, { envVars: job.envVars });
  observer.logger?.info({ run_id: result.runId, status: result.status, verdict: result.verdict.summary, duration_ms: result.durationMs, counts: result.sync?.counts, stopped: result.sync?.stopped }, 'run finished');
  if (alerts.alerts.length) observer.logger?.warn({ alerts: alerts.alerts, webhook: alerts.webhook }, 'alerts');
  if (alerts.webhook.error) observer.logger?.error({ error: alerts.webhook.error }, 'alert webhook failed');
  return { result, alerts, exitCode: alerts.exitCode };
}


/**
 * A job that could not open (or keep) its database writes no run record, so the failure streak
 * never counts it and an outage all night would page nobody: each such job posts
 * `database_unavailable` with the error's one line. The command keeps its exit code.
 */
export async function alertDatabaseUnavailable(cfg: ResolvedConfig, err: unknown, envVars: NodeJS.ProcessEnv = process.env) {
  const exitCode = exitCodeOfError(err);
  return alertRefusal(cfg, { kind: 'database_unavailable', runId: null, exitCode, causes: [{ reason: err instanceof Error ? err.message : String(err) }] }, envVars);
}
