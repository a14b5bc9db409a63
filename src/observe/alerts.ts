import type { ResolvedConfig } from '../config/index.js';
import type { Db } from '../db/index.js';
import type { ExitCode } from '../errors.js';
import type { JobResult } from './run-result.js';
import { adviceFor } from './advice.js';
import { exitCodeFor, type JobExitCode } from './exit-code.js';
import { backlog, lastRuns } from './queries.js';

/**
 * The [alerts] thresholds, evaluated after each run. Each alert has a severity: `critical`
 * makes the run exit 1, `warning` exit 2; the run's own status sets the floor (exitCodeFor).
 */
export type AlertKind = 'success_band' | 'failed_records' | 'rejected_rows' | 'pending_age' | 'stuck_in_flight' | 'budget_exhausted' | 'budget_headroom' | 'consecutive_failed_runs' | 'preflight_refused' | 'database_unavailable' | 'board_check';
export type Severity = 'critical' | 'warning';

export interface Alert {
  kind: AlertKind;
  severity: Severity;
  message: string;
}

export interface AlertEvaluation {
  env: string;
  runId: number | null;
  runStatus: string | null;
  alerts: Alert[];
  exitCode: JobExitCode;
  /** Why the run was not OK, most records first: failed records by error code, rejected rows by reason. */
  reasons: Array<{ reason: string; records: number; meaning?: string; action?: string }>;
  /** The last finished run before this one was not OK and this one has nothing to alert: say so once. */
  resolved: boolean;
  dashboardUrl: string;
}

/** What the webhook posts: an evaluation, or a refusal whose exit code is not a job's (3, a configuration error). */
export type AlertNotice = Omit<AlertEvaluation, 'exitCode'> & { exitCode: ExitCode };

const RATE_STOPS = /complexity|rate|daily_limit|concurrency|toomanyrequests|budget/i;

export async function evaluateAlerts(db: Db, cfg: ResolvedConfig, result: JobResult | null, now = new Date()): Promise<AlertEvaluation> {
  const a = cfg.settings.alerts;
  const alerts: Alert[] = [];
  if (result) {
    const v = result.verdict;
    const judged = v.attempted >= a.min_records;
    if (judged && v.successRate !== null && v.successRate < a.success_degraded) {
      alerts.push({ kind: 'success_band', severity: 'critical', message: `success ${(v.successRate * 100).toFixed(1)}% of ${v.attempted} records is below ${(a.success_degraded * 100).toFixed(0)}% (${v.failed} failed)` });
    } else if (judged && v.successRate !== null && v.successRate < a.success_ok) {
      alerts.push({ kind: 'success_band', severity: 'warning', message: `success ${(v.successRate * 100).toFixed(1)}% of ${v.attempted} records is below ${(a.success_ok * 100).toFixed(0)}% (${v.failed} failed)` });
    } else if (v.failed > 0) {
      alerts.push({ kind: 'failed_records', severity: 'warning', message: `${v.failed} of ${v.attempted} records failed${judged ? '' : ` (fewer than alerts.min_records = ${a.min_records}: the rate is not judged)`}` });
    }
    const rejected = result.merge?.rejections.length ?? 0;
    if (a.rejected_rows.warn !== undefined && rejected >= a.rejected_rows.warn) {
      alerts.push({ kind: 'rejected_rows', severity: 'warning', message: `the merge rejected ${rejected} staging row(s) (alerts.rejected_rows.warn = ${a.rejected_rows.warn}); they are not on the board until fixed upstream` });
    }
    // The run's verdict rests on its board check: a board that differs from what the run wrote,
    // or one monday would not read back, makes it DEGRADED, and that is said where people look.
    const drift = result.proof ? Object.values(result.proof.counts).reduce((n, c) => n + c, 0) : 0;
    if (drift > 0) {
      const kinds = Object.entries(result.proof?.counts ?? {}).filter(([, c]) => c > 0).map(([k, c]) => `${k} ${c}`).join(', ');
      alerts.push({ kind: 'board_check', severity: 'warning', message: `the board check found ${drift} difference(s) between the board and what the rows say it shows (${kinds}): \`ordersync verify\` lists them, \`ordersync verify --fix\` repairs them` });
    }
    if (result.proofError) {
      alerts.push({ kind: 'board_check', severity: 'warning', message: `the board could not be read back after the run (${result.proofError}), so what it wrote is unchecked: run \`ordersync verify\`` });
    }
    const stopped = result.sync?.stopped;
    if (stopped && RATE_STOPS.test(stopped.code)) {
      alerts.push({
        kind: 'budget_exhausted',
        severity: 'critical',
        message: `run stopped by monday's limits (${stopped.code}): ${stopped.message}${stopped.resumeAfter ? `; resumes after ${stopped.resumeAfter}` : ''}; the queue is kept`,
      });
    }
    // Using the whole budget is the goal of a paced run; monday refusing requests is not.
    // 429s mean the pacer's view of the budget was wrong (another integration shares the
    // token, or the budget is lower than [monday] complexity_per_minute says).
    // A run that waited the 429s out and left nothing undone did its job.
    const stats = result.sync?.stats;
    const left = await backlog(db, now);
    const undone = left.pendingOrders + left.pendingLines + v.failed;
    if (stats && stats.http429 > 0 && undone > 0) {
      alerts.push({
        kind: 'budget_headroom',
        severity: 'warning',
        message: `monday refused ${stats.http429} request(s) with 429 during the run (${stats.rateLimitWaits} rate-limit waits); lower [monday] complexity_per_minute to what this token really has, or find what else spends it`,
      });
    }
  }
  const b = await backlog(db, now);
  if (b.oldestPendingMinutes !== null && b.oldestPendingMinutes > a.max_pending_age_minutes) {
    alerts.push({
      kind: 'pending_age',
      severity: 'warning',
      message: `oldest pending row (${b.oldestPendingKey}) has waited ${Math.round(b.oldestPendingMinutes)} min (limit ${a.max_pending_age_minutes}); backlog ${b.pendingOrders} orders, ${b.pendingLines} lines`,
    });
  }
  if (b.oldestInFlightMinutes !== null && b.oldestInFlightMinutes > a.max_in_flight_minutes) {
    alerts.push({
      kind: 'stuck_in_flight',
      severity: 'warning',
      message: `${b.inFlightOrders} orders and ${b.inFlightLines} lines in flight, oldest for ${Math.round(b.oldestInFlightMinutes)} min (limit ${a.max_in_flight_minutes}): ${b.inFlightKeys.slice(0, 5).join(', ')}; the next run reconciles them`,
    });
  }
  const runs = (await lastRuns(db, { env: cfg.envName, limit: a.max_consecutive_failed_runs + 5 })).filter((r) => r.status !== 'RUNNING');
  let streak = 0;
  for (const r of runs) {
    if (r.status !== 'FAILED' && r.status !== 'ABORTED') break;
    streak++;
  }
  if (streak >= a.max_consecutive_failed_runs) {
    alerts.push({ kind: 'consecutive_failed_runs', severity: 'critical', message: `${streak} failed runs in a row (limit ${a.max_consecutive_failed_runs}); last error: ${runs[0]?.error ?? runs[0]?.verdict ?? 'unknown'}` });
  }
  const status = result?.status ?? null;
  const exitCode = exitCodeFor(status, alerts);
  const previous = runs.find((r) => r.id !== result?.runId);
  const resolved = result !== null && alerts.length === 0 && result.status === 'OK' && previous !== undefined && previous.status !== 'OK';
  return {
    env: cfg.envName,
    runId: result?.runId ?? null,
    runStatus: status,
    alerts,
    exitCode,
    reasons: result ? await topReasons(db, result) : [],
    resolved,
    dashboardUrl: dashboardUrl(cfg),
  };
}

function dashboardUrl(cfg: ResolvedConfig): string {
  const { host, port } = cfg.settings.server;
  return cfg.settings.alerts.dashboard_url ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
}

/** Failed records of the run by error code and rejected staging rows by reason, with what to do. */
async function topReasons(db: Db, result: JobResult): Promise<AlertEvaluation['reasons']> {
  const rows = await db.kysely
    .selectFrom('sync_events')
    .select(['error_code', db.kysely.fn.countAll().as('n')])
    .where('run_id', '=', result.runId)
    .where('outcome', '=', 'ERROR')
    .groupBy('error_code')
    .execute();
  const out: AlertEvaluation['reasons'] = rows.map((r) => ({ reason: r.error_code ?? 'unknown', records: Number(r.n), ...adviceFor(r.error_code) }));
  const rejected = new Map<string, number>();
  for (const x of result.merge?.rejections ?? []) {
    const kind = `staging row rejected: ${x.reason.replace(/\(rows [^)]*\)/, '').replace(/row \d+ kept/, 'one row kept').replace(/\s+/g, ' ').replace(/ ;/g, ';').trim()}`;
    rejected.set(kind, (rejected.get(kind) ?? 0) + 1);
  }
  for (const [reason, records] of rejected) out.push({ reason, records, action: 'Fix the rows in the source file (the merge output names file, row and line), then ingest it again.' });
  return out.sort((x, y) => y.records - x.records).slice(0, 5);
}

/** A Slack-compatible incoming-webhook body (`text` is the fallback, `blocks` the layout). */
export function webhookPayload(e: AlertNotice): { text: string; blocks: unknown[] } {
  if (e.alerts.length === 0 && e.resolved) {
    const title = `ordersync ${e.env}: resolved${e.runId !== null ? ` by run #${e.runId} (${e.runStatus})` : ''}`;
    return { text: `${title}\n${e.dashboardUrl}`, blocks: [{ type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } }, { type: 'context', elements: [{ type: 'mrkdwn', text: `<${e.dashboardUrl}|dashboard>` }] }] };
  }
  const worst = e.alerts.some((x) => x.severity === 'critical') ? 'CRITICAL' : 'WARNING';
  const title = `ordersync ${e.env}: ${worst}${e.runId !== null ? ` after run #${e.runId} (${e.runStatus})` : ''}`;
  const reasons = e.reasons.map((r) => `• ${r.reason}: ${r.records} record(s)${r.action ? ` — ${r.action}` : ''}`);
  const text = [title, ...e.alerts.map((x) => `• [${x.severity}] ${x.kind}: ${x.message}`), ...(reasons.length ? ['top reasons:', ...reasons] : []), `dashboard: ${e.dashboardUrl}`].join('\n');
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
      ...e.alerts.map((x) => ({ type: 'section', text: { type: 'mrkdwn', text: `*${x.severity}* \`${x.kind}\`\n${slackEscape(x.message)}`.slice(0, 3000) } })),
      ...(reasons.length ? [{ type: 'section', text: { type: 'mrkdwn', text: `*Top reasons*\n${slackEscape(reasons.join('\n'))}`.slice(0, 3000) } }] : []),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `exit code ${e.exitCode} · <${e.dashboardUrl}|dashboard> · see docs/operations.md#alerts` }] },
    ],
  };
}

function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface NotifyResult {
  sent: boolean;
  status?: number;
  error?: string;
}

/** POSTs the alerts to the webhook named by [alerts].webhook_url_env, when set and there is anything to say. */
export async function notifyWebhook(cfg: ResolvedConfig, e: AlertNotice, envVars: NodeJS.ProcessEnv = process.env): Promise<NotifyResult> {
  const url = envVars[cfg.settings.alerts.webhook_url_env];
  if (!url || (e.alerts.length === 0 && !e.resolved)) return { sent: false };
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(webhookPayload(e)),
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? { sent: true, status: res.status } : { sent: false, status: res.status, error: `webhook answered HTTP ${res.status}` };
  } catch (err) {
    return { sent: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Call after `runJob` (or with `null` and the error's exit code after a run that threw):
 * evaluates the thresholds, posts the webhook when configured, and returns the exit code the
 * process should end with; a run that threw ends with its error's, and the webhook says that one.
 * A webhook that cannot be reached is reported, never fatal.
 */
export async function afterRun(db: Db, cfg: ResolvedConfig, result: JobResult, opts?: { envVars?: NodeJS.ProcessEnv; now?: Date }): Promise<AlertEvaluation & { webhook: NotifyResult }>;
export async function afterRun(db: Db, cfg: ResolvedConfig, result: null, opts: { envVars?: NodeJS.ProcessEnv; now?: Date; thrown: ExitCode }): Promise<AlertNotice & { webhook: NotifyResult }>;
export async function afterRun(db: Db, cfg: ResolvedConfig, result: JobResult | null, opts: { envVars?: NodeJS.ProcessEnv; now?: Date; thrown?: ExitCode } = {}): Promise<AlertNotice & { webhook: NotifyResult }> {
  const evaluation = await evaluateAlerts(db, cfg, result, opts.now);
  const notice: AlertNotice = opts.thrown === undefined ? evaluation : { ...evaluation, exitCode: opts.thrown };
  const webhook = await notifyWebhook(cfg, notice, opts.envVars);
  return { ...notice, webhook };
}

/**
 * A command that was refused before it could do its work, posted as a run's alerts are: one
 * critical alert per cause, with what to do. A scheduled run or cutover has nobody reading its
 * output. `preflight_refused`: a cutover's preflight (a check failed, migrations pending, a
 * setting it cannot use). `database_unavailable`: the job could not open or keep its database,
 * so no run record exists and `consecutive_failed_runs` can never count it. The exit code is
 * the command's own.
 */
export async function alertRefusal(
  cfg: ResolvedConfig,
  refusal: { kind: 'preflight_refused' | 'database_unavailable'; runId: number | null; exitCode: ExitCode; causes: ReadonlyArray<{ reason: string; fix?: string }> },
  envVars: NodeJS.ProcessEnv = process.env,
): Promise<AlertNotice & { webhook: NotifyResult }> {
  const notice: AlertNotice = {
    env: cfg.envName,
    runId: refusal.runId,
    runStatus: refusal.runId === null ? null : 'FAILED',
    alerts: refusal.causes.map((c) => ({ kind: refusal.kind, severity: 'critical', message: c.fix ? `${c.reason} — fix: ${c.fix}` : c.reason })),
    exitCode: refusal.exitCode,
    reasons: [],
    resolved: false,
    dashboardUrl: dashboardUrl(cfg),
  };
  return { ...notice, webhook: await notifyWebhook(cfg, notice, envVars) };
}
