import cliProgress from 'cli-progress';
import { pino, type Logger } from 'pino';
import type { Phase } from '../sync/index.js';

/**
 * What a run shows while it works: a progress bar per phase on a TTY (cli-progress), pino
 * JSON lines otherwise (or with --log-format json), then a closing summary table. Everything
 * goes to stderr so `--json` output on stdout stays parseable.
 *
 * Each phase announces its total when it starts (its first call), and the bar is drawn
 * against that total. The ETA is the longer of what the pace so far and what the complexity
 * budget allow for the work left; a pacing wait is shown as such. Every bar ends: done, or
 * with the reason it stopped.
 */
export type LogFormat = 'auto' | 'pretty' | 'json';

export interface ObserverOptions {
  logFormat?: LogFormat;
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  now?: () => number;
  /** The configured complexity budget (monday.complexity_per_minute), for the ETA. */
  complexityPerMinute?: number;
  /** Most time between two JSON progress lines, waits included. */
  logIntervalMs?: number;
}

export type ProgressPhase = Phase | 'merge';

/** A pause before the next request, and what it waits for ("the complexity budget"). */
export interface PacingWait {
  ms: number;
  reason: string;
}

export interface RunObserver {
  mode: 'tty' | 'json';
  logger: Logger | null;
  /** `complexityUsed`: the run's complexity spent so far (for the budget's share of the ETA). */
  progress: (phase: ProgressPhase, done: number, total: number, complexityUsed?: number) => void;
  wait: (w: PacingWait) => void;
  /** Ends the current bar; `reason` says why it stopped short of its total, if it did. */
  end(reason?: string): void;
}

interface PhaseState {
  name: ProgressPhase;
  started: number;
  done: number;
  total: number;
  /** Complexity spent when the phase started, and now. */
  costAtStart: number | undefined;
  cost: number | undefined;
  waitUntil: number;
  waitReason: string;
  /** When done reached the total: the bar's time stops there. */
  finishedAt?: number;
}

export const LOG_INTERVAL_MS = 5_000;

export function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '--';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Seconds until the phase is done: the pace so far, or the complexity the work left will cost
 * at the budget's rate, or the wait in progress, whichever is longest.
 */
export function etaSeconds(p: Pick<PhaseState, 'started' | 'done' | 'total' | 'costAtStart' | 'cost' | 'waitUntil'>, now: number, perMinute?: number): number {
  const left = p.total - p.done;
  if (left <= 0) return 0;
  const waiting = Math.max(0, (p.waitUntil - now) / 1000);
  // Nothing done yet: no pace and no cost per record to go by.
  if (p.done === 0) return waiting > 0 ? waiting : Number.POSITIVE_INFINITY;
  const byPace = ((now - p.started) / 1000 / p.done) * left;
  const spent = p.cost !== undefined && p.costAtStart !== undefined ? p.cost - p.costAtStart : 0;
  const byBudget = perMinute && spent > 0 ? ((spent / p.done) * left * 60) / perMinute : 0;
  return Math.max(byPace, byBudget, waiting);
}

const waitText = (p: PhaseState, now: number) => `waiting ${Math.ceil((p.waitUntil - now) / 1000)} s for ${p.waitReason}`;

export function createRunObserver(opts: ObserverOptions = {}): RunObserver {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? Date.now;
  const format = opts.logFormat ?? 'auto';
  const tty = format === 'pretty' || (format === 'auto' && Boolean(stream.isTTY));
  return tty ? barObserver(stream, now, opts.complexityPerMinute) : jsonObserver(stream, now, opts.complexityPerMinute, opts.logIntervalMs ?? LOG_INTERVAL_MS);
}

function newPhase(name: ProgressPhase, done: number, total: number, cost: number | undefined, at: number): PhaseState {
  return { name, started: at, done, total, costAtStart: cost, cost, waitUntil: 0, waitReason: '' };
}

function barObserver(stream: NonNullable<ObserverOptions['stream']>, now: () => number, perMinute: number | undefined): RunObserver {
  let current: { state: PhaseState; bar: cliProgress.SingleBar; ending?: string } | undefined;
  const tail = (p: PhaseState, ending: string | undefined) => {
    const secs = ((p.finishedAt ?? now()) - p.started) / 1000;
    if (ending !== undefined) return ending;
    if (p.done >= p.total) return `done in ${fmtDuration(secs)}`;
    if (p.waitUntil > now()) return `${waitText(p, now())}, ETA ${fmtDuration(etaSeconds(p, now(), perMinute))}`;
    return `ETA ${fmtDuration(etaSeconds(p, now(), perMinute))}`;
  };
  const finish = (reason?: string) => {
    if (!current) return;
    const { state: p, bar } = current;
    current.ending = p.done >= p.total ? undefined : `stopped at ${p.done}/${p.total}${reason ? `: ${reason}` : ''}`;
    bar.stop();
    current = undefined;
  };
  return {
    mode: 'tty',
    logger: null,
    progress(phase, done, total, cost) {
      if (!current || current.state.name !== phase) {
        finish();
        const state = newPhase(phase, done, total, cost, now());
        const entry: NonNullable<typeof current> = {
          state,
          bar: new cliProgress.SingleBar({
            stream,
            fps: 5,
            barsize: 24,
            hideCursor: false,
            gracefulExit: false,
            clearOnComplete: false,
            format: (_o, params) => {
              const secs = ((state.finishedAt ?? now()) - state.started) / 1000;
              const rate = secs > 0 ? state.done / secs : 0;
              const filled = Math.round(Math.min(1, params.progress) * 24);
              return `${state.name.padEnd(9)} [${'█'.repeat(filled)}${'░'.repeat(24 - filled)}] ${`${params.value}/${params.total}`.padStart(11)}  ${rate.toFixed(1).padStart(7)}/s  ${tail(state, entry.ending)}`;
            },
          }),
        };
        current = entry;
        entry.bar.start(total, done);
        return;
      }
      const p = current.state;
      p.done = done;
      p.cost = cost ?? p.cost;
      p.waitUntil = 0;
      if (total !== p.total) current.bar.setTotal((p.total = total));
      if (done >= p.total) p.finishedAt ??= now();
      current.bar.update(done);
    },
    wait(w) {
      if (!current) return;
      current.state.waitUntil = now() + w.ms;
      current.state.waitReason = w.reason;
      current.bar.render();
    },
    end: finish,
  };
}

function jsonObserver(stream: NonNullable<ObserverOptions['stream']>, now: () => number, perMinute: number | undefined, intervalMs: number): RunObserver {
  const logger = pino({ base: { app: 'ordersync' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: fdOf(stream), sync: true }));
  let current: PhaseState | undefined;
  let timer: NodeJS.Timeout | undefined;
  const log = (p: PhaseState) => {
    const secs = (now() - p.started) / 1000;
    const eta = etaSeconds(p, now(), perMinute);
    const waiting = p.waitUntil > now();
    logger.info(
      {
        phase: p.name,
        done: p.done,
        total: p.total,
        rate: secs > 0 ? Number((p.done / secs).toFixed(2)) : null,
        elapsed_s: Number(secs.toFixed(2)),
        eta_s: Number.isFinite(eta) ? Math.round(eta) : null,
        ...(waiting ? { waiting_s: Math.ceil((p.waitUntil - now()) / 1000), waiting_for: p.waitReason } : {}),
      },
      waiting ? `progress: ${waitText(p, now())}` : 'progress',
    );
    // The next line comes at the interval at the latest, whether or not the sync reports.
    clearTimeout(timer);
    timer = p.done < p.total ? setTimeout(() => current && log(current), intervalMs).unref() : undefined;
  };
  const finish = (reason?: string) => {
    clearTimeout(timer);
    timer = undefined;
    if (current && current.done < current.total) logger.warn({ phase: current.name, done: current.done, total: current.total, reason: reason ?? null }, `phase stopped at ${current.done}/${current.total}${reason ? `: ${reason}` : ''}`);
    current = undefined;
  };
  return {
    mode: 'json',
    logger,
    progress(phase, done, total, cost) {
      if (!current || current.name !== phase) {
        finish();
        current = newPhase(phase, done, total, cost, now());
        logger.info({ phase, total }, 'phase started');
        log(current);
        return;
      }
      const p = current;
      const first = p.done === 0 && done > 0;
      p.done = done;
      p.total = total;
      p.cost = cost ?? p.cost;
      p.waitUntil = 0;
      // Between the steady lines, the first work done and the end of a phase are logged at once.
      if (first || done >= total) log(p);
    },
    wait(w) {
      if (!current) return;
      current.waitUntil = now() + w.ms;
      current.waitReason = w.reason;
      log(current);
    },
    end: finish,
  };
}

function fdOf(stream: NodeJS.WritableStream): number {
  const fd = (stream as { fd?: unknown }).fd;
  return typeof fd === 'number' ? fd : 2;
}
