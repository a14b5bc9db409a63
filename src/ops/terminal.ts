import { pino, type Logger } from 'pino';
import type { ResolvedConfig } from '../config/load.js';
import type { Db } from '../db/connect.js';
import { ExitCode, InputError, OrdersyncError, StoppedError } from '../errors.js';
import { afterRun, type AlertEvaluation, type NotifyResult } from './alerts.js';
import { runJob, type JobOptions, type JobResult } from './job.js';
import { rejectedLines } from './summary.js';

/**
 * What a run shows while it works: progress bars per phase on a TTY, pino JSON lines
 * otherwise (or with --log-format json), then a closing summary table. Everything goes
 * to stderr so `--json` output on stdout stays parseable.
 */
export type LogFormat = 'auto' | 'pretty' | 'json';

export interface ObserverOptions {
  logFormat?: LogFormat;
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  now?: () => number;
}

interface PhaseState {
  name: string;
  started: number;
  done: number;
  total: number;
  lastDraw: number;
  lastLog: number;
}

export interface RunObserver {
  mode: 'tty' | 'json';
  logger: Logger | null;
  progress: NonNullable<JobOptions['progress']>;
  /** Ends the current bar. */
  end(): void;
}

function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '--';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One line: `items     [██████░░░░░░]  120/300  40.0/s  ETA 4s`. */
export function renderBar(p: { name: string; done: number; total: number; elapsedMs: number }, width = 24): string {
  const ratio = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  const filled = Math.round(ratio * width);
  const secs = p.elapsedMs / 1000;
  const rate = secs > 0 ? p.done / secs : 0;
  const eta = rate > 0 ? (p.total - p.done) / rate : Number.POSITIVE_INFINITY;
  const count = `${p.done}/${p.total}`.padStart(11);
  const tail = p.done >= p.total ? `done in ${fmtDuration(secs)}` : `ETA ${fmtDuration(eta)}`;
  return `${p.name.padEnd(9)} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${count}  ${rate.toFixed(1).padStart(7)}/s  ${tail}`;
}

export function createRunObserver(opts: ObserverOptions = {}): RunObserver {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? Date.now;
  const format = opts.logFormat ?? 'auto';
  const tty = format === 'pretty' || (format === 'auto' && Boolean(stream.isTTY));
  let current: PhaseState | undefined;

  if (tty) {
    const draw = (p: PhaseState, final = false) => {
      stream.write(`\r\x1b[2K${renderBar({ name: p.name, done: p.done, total: p.total, elapsedMs: now() - p.started })}${final ? '\n' : ''}`);
      p.lastDraw = now();
    };
    return {
      mode: 'tty',
      logger: null,
      progress(phase, done, total) {
        if (!current || current.name !== phase) {
          if (current) draw(current, true);
          current = { name: phase, started: now(), done, total, lastDraw: 0, lastLog: 0 };
        }
        current.done = done;
        current.total = total;
        if (done >= total || now() - current.lastDraw >= 80) draw(current);
      },
      end() {
        if (current) draw(current, true);
        current = undefined;
      },
    };
  }

  const logger = pino({ base: { app: 'ordersync' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: fdOf(stream), sync: true }));
  const log = (p: PhaseState) => {
    const secs = (now() - p.started) / 1000;
    logger.info({ phase: p.name, done: p.done, total: p.total, rate: secs > 0 ? Number((p.done / secs).toFixed(2)) : null, elapsed_s: Number(secs.toFixed(2)) }, 'progress');
    p.lastLog = now();
  };
  return {
    mode: 'json',
    logger,
    progress(phase, done, total) {
      if (!current || current.name !== phase) {
        if (current && current.lastLog < now()) log(current);
        current = { name: phase, started: now(), done, total, lastDraw: 0, lastLog: 0 };
        logger.info({ phase, total }, 'phase started');
      }
      current.done = done;
      current.total = total;
      if (done >= total || now() - current.lastLog >= 5_000) log(current);
    },
    end() {
      current = undefined;
    },
  };
}

function fdOf(stream: NodeJS.WritableStream): number {
  const fd = (stream as { fd?: unknown }).fd;
  return typeof fd === 'number' ? fd : 2;
}

/** The closing summary as a table (records per kind and outcome, then monday usage and alerts). */
export function formatSummaryTable(r: JobResult, alerts?: AlertEvaluation): string {
  const rows: Array<[string, string, string, string, string, string]> = [['', 'created', 'updated', 'cancelled', 'zeroed/removed', 'failed']];
  const c = r.sync?.counts;
  if (c) {
    rows.push(['groups', String(c.groups_created), '—', '—', '—', '—']);
    rows.push(['items', String(c.items_created), String(c.items_updated), String(c.items_cancelled), String(c.items_archived), String(c.items_failed)]);
    rows.push(['subitems', String(c.subitems_created), String(c.subitems_updated), '—', String(c.subitems_zeroed + c.subitems_removed), String(c.subitems_failed)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const out = [`run #${r.runId} ${r.status} in ${(r.durationMs / 1000).toFixed(1)} s — ${r.verdict.summary}`];
  const m = r.merge?.counts;
  if (m) out.push(`merge: ${m.new} new, ${m.updated} updated, ${m.cancelled} cancelled, ${m.reactivated} reactivated, ${m.unchanged} unchanged, ${m.rejected} rejected rows`);
  out.push(...rejectedLines(r));
  if (c) {
    out.push('', line(rows[0]!), line(widths.map((w) => '─'.repeat(w))), ...rows.slice(1).map(line));
    const s = r.sync!.stats;
    out.push('', `monday: ${s.requests} requests, ${s.mutations} mutations, ${s.complexityUsed.toLocaleString('en-US')} complexity, ${s.retries} retries, ${s.rateLimitWaits} rate-limit waits`);
    if (r.sync!.stopped) out.push(`stopped: ${r.sync!.stopped.code}: ${r.sync!.stopped.message}`);
  }
  if (alerts?.alerts.length) {
    out.push('', 'alerts:');
    for (const a of alerts.alerts) out.push(`  [${a.severity}] ${a.kind}: ${a.message}`);
  }
  return out.join('\n');
}

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
  const observer = createRunObserver(out);
  observer.logger?.info({ env: cfg.envName, command: job.command }, 'run started');
  let result: JobResult;
  try {
    result = await runJob(db, cfg, { ...job, progress: observer.progress });
  } catch (err) {
    observer.end();
    const locked = err instanceof OrdersyncError && err.exitCode === ExitCode.locked;
    const message = err instanceof Error ? err.message : String(err);
    // Another run holding the lock is the scheduler overlapping, not a failure.
    if (locked) observer.logger?.info({ reason: message, locked }, 'run skipped: another run holds the lock');
    else if (err instanceof StoppedError) observer.logger?.warn({ signal: err.signal, run_id: err.runId, status: 'ABORTED' }, 'run stopped by a signal');
    else observer.logger?.error({ err: message }, 'run failed');
    if (!locked) {
      const alerts = await afterRun(db, cfg, null, { envVars: job.envVars }).catch(() => undefined);
      if (alerts?.alerts.length) observer.logger?.warn({ alerts: alerts.alerts, webhook: alerts.webhook }, 'alerts');
    }
    throw err;
  }
  observer.end();
  const alerts = await afterRun(db, cfg, result, { envVars: job.envVars });
  observer.logger?.info({ run_id: result.runId, status: result.status, verdict: result.verdict.summary, duration_ms: result.durationMs, counts: result.sync?.counts, stopped: result.sync?.stopped }, 'run finished');
  if (alerts.alerts.length) observer.logger?.warn({ alerts: alerts.alerts, webhook: alerts.webhook }, 'alerts');
  if (alerts.webhook.error) observer.logger?.error({ error: alerts.webhook.error }, 'alert webhook failed');
  return { result, alerts, exitCode: alerts.exitCode };
}

export function parseLogFormat(v: string): LogFormat {
  if (v === 'auto' || v === 'pretty' || v === 'json') return v;
  throw new InputError(`--log-format must be auto, pretty or json (got "${v}")`);
}
