/**
 * A five-field cron expression (minute hour day-of-month month day-of-week), in the
 * process's local time zone (set TZ to change it): `*`, lists `a,b`, ranges `a-b`, steps
 * `*\/n` and `a-b/n`, month and weekday names (JAN, MON), day-of-week 0 or 7 = Sunday.
 * When both day fields are restricted a day matches either (classic cron).
 */
export interface CronSchedule {
  source: string;
  next(after: Date): Date;
}

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'], base: 1 },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], base: 0 },
] as const;

const MACROS: Record<string, string> = { '@hourly': '0 * * * *', '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@weekly': '0 0 * * 0', '@monthly': '0 0 1 * *', '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *' };

function parseField(text: string, f: (typeof FIELDS)[number]): { set: Set<number>; star: boolean } {
  const set = new Set<number>();
  const value = (s: string): number => {
    const names = 'names' in f ? f.names : undefined;
    const idx = names ? (names as readonly string[]).indexOf(s.toUpperCase()) : -1;
    const n = idx >= 0 ? idx + ('base' in f ? f.base : 0) : /^\d+$/.test(s) ? Number(s) : Number.NaN;
    if (!Number.isInteger(n) || n < f.min || n > f.max) throw new RangeError(`cron ${f.name}: "${s}" is not between ${f.min} and ${f.max}`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new RangeError(`cron ${f.name}: bad step in "${part}"`);
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [f.min, f.max];
    else if (range!.includes('-')) {
      const [a, b] = range!.split('-');
      [lo, hi] = [value(a!), value(b!)];
      if (lo > hi) throw new RangeError(`cron ${f.name}: range "${range}" runs backwards`);
    } else {
      lo = value(range!);
      hi = stepText === undefined ? lo : f.max;
    }
    for (let v = lo; v <= hi; v += step) set.add(f.name === 'day of week' && v === 7 ? 0 : v);
  }
  return { set, star: text === '*' || text.startsWith('*/') };
}

export function parseCron(source: string): CronSchedule {
  const expr = MACROS[source.trim().toLowerCase()] ?? source.trim();
  const parts = expr.split(/\s+/);
  if (parts.length !== 5) throw new RangeError(`cron "${source}": expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`);
  const [min, hour, dom, mon, dow] = parts.map((p, i) => parseField(p, FIELDS[i]!)) as [ReturnType<typeof parseField>, ReturnType<typeof parseField>, ReturnType<typeof parseField>, ReturnType<typeof parseField>, ReturnType<typeof parseField>];
  const dayMatches = (d: Date) => {
    const a = dom.set.has(d.getDate());
    const b = dow.set.has(d.getDay());
    if (dom.star && dow.star) return true;
    if (dom.star) return b;
    if (dow.star) return a;
    return a || b;
  };
  return {
    source,
    next(after: Date): Date {
      const d = new Date(after.getTime());
      d.setSeconds(0, 0);
      d.setMinutes(d.getMinutes() + 1);
      const limit = after.getTime() + 5 * 366 * 86_400_000;
      while (d.getTime() <= limit) {
        if (!mon.set.has(d.getMonth() + 1)) {
          d.setMonth(d.getMonth() + 1, 1);
          d.setHours(0, 0, 0, 0);
          continue;
        }
        if (!dayMatches(d)) {
          d.setDate(d.getDate() + 1);
          d.setHours(0, 0, 0, 0);
          continue;
        }
        if (!hour.set.has(d.getHours())) {
          d.setHours(d.getHours() + 1, 0, 0, 0);
          continue;
        }
        if (!min.set.has(d.getMinutes())) {
          d.setMinutes(d.getMinutes() + 1, 0, 0);
          continue;
        }
        return d;
      }
      throw new RangeError(`cron "${source}" never fires`);
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
export function schedule(cron: CronSchedule, task: () => Promise<void>, hooks: { onSkip?: (at: Date) => void; onError?: (err: unknown) => void; now?: () => Date } = {}): ScheduledJob {
  const now = hooks.now ?? (() => new Date());
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let stopped = false;
  let skipped = 0;
  const arm = () => {
    if (stopped) return;
    const at = cron.next(now());
    // setTimeout caps at ~24.8 days; re-arm in steps.
    const wait = Math.min(Math.max(0, at.getTime() - now().getTime()), 2 ** 31 - 1);
    timer = setTimeout(() => {
      if (now().getTime() + 1000 < at.getTime()) return arm();
      fire(at);
      arm();
    }, wait);
  };
  const fire = (at: Date) => {
    if (running) {
      skipped++;
      hooks.onSkip?.(at);
      return;
    }
    running = true;
    task()
      .catch((err) => hooks.onError?.(err))
      .finally(() => {
        running = false;
      });
  };
  arm();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    get running() {
      return running;
    },
    get skipped() {
      return skipped;
    },
  };
}
