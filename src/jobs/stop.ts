import { constants } from 'node:os';
import { StoppedError } from '../errors.js';

/**
 * SIGTERM and SIGINT while a job runs (Kubernetes, systemd and Kestra end jobs this way, an
 * operator presses Ctrl-C): the job stops before its next request, writes back what the
 * request in flight returned, marks its run ABORTED and releases the lock. A second signal
 * exits at once. With no job running a signal ends the process as it would by default, unless
 * the command listens for it itself.
 */
export type StopSignal = 'SIGTERM' | 'SIGINT';

let requested: StopSignal | undefined;
let installed = false;
const active = new Set<(signal: StopSignal) => void>();

function onSignal(signal: StopSignal): void {
  const code = 128 + constants.signals[signal];
  if (requested !== undefined) {
    process.stderr.write(`ordersync: second ${signal}: exiting now, without waiting for the run to stop\n`);
    process.exit(code);
  }
  if (active.size === 0) {
    // Between jobs a long-running command (`worker`) that listens itself decides how it ends.
    if (process.listenerCount(signal) > 1) return;
    process.exit(code);
  }
  requested = signal;
  process.stderr.write(`ordersync: ${signal} received: stopping after the request in flight (send it again to exit at once)\n`);
  for (const listener of [...active]) listener(signal);
}

export interface StopScope {
  /** Throws StoppedError once a stop signal arrived. Call it between requests. */
  check(): void;
  /**
   * check() after letting the event loop hear a signal that is waiting: work that never waits
   * on I/O (a merge on SQLite, whose driver is synchronous) would otherwise only learn of it
   * once done. Call it between batches of such work.
   */
  checkpoint(): Promise<void>;
  /** The signal that asked this process to stop, if one did. */
  readonly signal: StopSignal | undefined;
  release(): void;
}

/** Marks a stretch of work as stoppable; `onStop` hears the first signal. */
export function stopScope(onStop: (signal: StopSignal) => void = () => undefined): StopScope {
  if (!installed) {
    installed = true;
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    process.on('SIGINT', () => onSignal('SIGINT'));
  }
  active.add(onStop);
  const check = () => {
    if (requested !== undefined) throw new StoppedError(requested);
  };
  return {
    check,
    checkpoint: async () => {
      await new Promise((resolve) => setImmediate(resolve));
      check();
    },
    get signal() {
      return requested;
    },
    release: () => {
      active.delete(onStop);
    },
  };
}
