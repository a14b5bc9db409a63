import { Cron } from 'croner';
import { isTimeZone } from '../config/time-zone.js';

/**
 * A cron expression for `serve --schedule` and `ordersync schedule`, read by croner: five
 * fields (minute hour day-of-month month day-of-week), or six with leading seconds, names
 * (JAN, MON), macros (@hourly, @daily), in an IANA time zone (the process's local one, TZ,
 * when none is given). When both day fields are restricted a day matches either (classic cron).
 */
export interface CronSchedule {
  source: string;
  timezone: string | undefined;
  next(after: Date): Date;
}

const OPTIONS = { mode: '5-or-6-parts', domAndDow: false } as const;

export function parseCron(source: string, timezone?: string): CronSchedule {
  if (timezone !== undefined && !isTimeZone(timezone)) throw new RangeError(`time zone "${timezone}" is not an IANA time zone such as "Europe/Berlin" or "UTC"`);
  let probe: Cron;
  try {
    probe = new Cron(source.trim(), { ...OPTIONS, timezone, paused: true });
  } catch (err) {
    throw new RangeError(`cron "${source}": ${(err as Error).message.replace(/^CronPattern: /, '')} (five fields: minute hour day-of-month month day-of-week, e.g. "5 * * * *")`);
  }
  const first = probe.nextRun();
  probe.stop();
  if (first === null) throw new RangeError(`cron "${source}" never fires`);
  return {
    source,
    timezone,
    next(after: Date): Date {
      const job = new Cron(source.trim(), { ...OPTIONS, timezone, paused: true });
      const at = job.nextRun(after);
      job.stop();
      if (!at) throw new RangeError(`cron "${source}" never fires`);
      return at;
    },
  };
}

export interface ScheduledJob {
  stop(): void;
  readonly running: boolean;
  /** Ticks skipped because the previous run was still going. */
  readonly skipped: number;
}

/**
 * Calls `task` on the schedule, never two at once: a tick that finds the previous run
 * still going is skipped (and reported through onSkip). The run lock in the database
 * stops overlap with other processes.
 */
export function schedule(cron: CronSchedule, task: () => Promise<void>, hooks: { onSkip?: (at: Date) => void; onError?: (err: unknown) => void } = {}): ScheduledJob {
  let skipped = 0;
  const job = new Cron(
    cron.source.trim(),
    {
      ...OPTIONS,
      timezone: cron.timezone,
      protect: () => {
        skipped++;
        hooks.onSkip?.(new Date());
      },
      catch: (err) => hooks.onError?.(err),
    },
    () => task(),
  );
  return {
    stop: () => job.stop(),
    get running() {
      return job.isBusy();
    },
    get skipped() {
      return skipped;
    },
  };
}
