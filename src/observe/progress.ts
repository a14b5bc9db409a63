import { pino, type Logger } from 'pino';
import type { Phase } from '../sync/index.js';

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
  progress: (phase: Phase | 'merge', done: number, total: number) => void;
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
