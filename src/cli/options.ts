import { isTimeZone } from '../config/time-zone.js';
import { InputError } from '../errors.js';
import type { LogFormat } from '../observe/progress.js';

/**
 * The argument parsers every command's numeric, duration and id flags use, so `--limit abc`
 * is refused the same way everywhere (exit 3, the flag named) instead of turning into NaN
 * and a run that syncs nothing. Each factory takes the flag as the user typed it.
 */
type Parser<T> = (value: string) => T;

function integer(flag: string, value: string, min: number, what: string): number {
  const text = value.trim();
  const n = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new InputError(`${flag} needs ${what} (got "${value}")`);
  return n;
}

/** 1, 2, 3 …: counts and limits. */
export function positiveInteger(flag: string): Parser<number> {
  return (value) => integer(flag, value, 1, 'a positive integer');
}

/** 0, 1, 2 …: sizes where zero means "none". */
export function nonNegativeInteger(flag: string, what = 'a non-negative integer'): Parser<number> {
  return (value) => integer(flag, value, 0, what);
}

/** Any integer (seeds). */
export function anyInteger(flag: string): Parser<number> {
  return (value) => integer(flag, value, Number.MIN_SAFE_INTEGER, 'an integer');
}

/** A finite number above zero (time scales). */
export function positiveNumber(flag: string): Parser<number> {
  return (value) => {
    const n = value.trim() === '' ? Number.NaN : Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InputError(`${flag} needs a positive number (got "${value}")`);
    return n;
  };
}

/** A TCP port; 0 asks the system for any free one. */
export function port(flag: string): Parser<number> {
  return (value) => {
    const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!Number.isInteger(n) || n > 65_535) throw new InputError(`${flag} needs a port number from 1 to 65535, or 0 for any free port (got "${value}")`);
    return n;
  };
}

/** A run id as `ordersync status` lists it. */
export function runId(flag: string): Parser<number> {
  return (value) => integer(flag, value, 1, 'a run id (a positive integer, see `ordersync status`)');
}

const UNIT_DAYS: Record<string, number> = {
  min: 1 / 1440,
  mins: 1 / 1440,
  minute: 1 / 1440,
  minutes: 1 / 1440,
  h: 1 / 24,
  hour: 1 / 24,
  hours: 1 / 24,
  d: 1,
  day: 1,
  days: 1,
  w: 7,
  week: 7,
  weeks: 7,
};

/**
 * An age such as `30d`, `12h`, `15min` or `2w`, in days. `1m` is refused: months or
 * minutes, a prune off by a factor of 40 000 either way.
 */
export function duration(flag: string): Parser<number> {
  return (value) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(value);
    const unit = m?.[2]?.toLowerCase();
    const perUnit = unit === undefined ? undefined : UNIT_DAYS[unit];
    if (!m || perUnit === undefined) {
      const why = unit === 'm' ? ' ("m" could be minutes or months)' : '';
      throw new InputError(`${flag} needs a duration such as 30d, 12h or 15min${why} (got "${value}")`);
    }
    return Number(m[1]) * perUnit;
  };
}

export function parseLogFormat(v: string): LogFormat {
  if (v === 'auto' || v === 'pretty' || v === 'json') return v;
  throw new InputError(`--log-format must be auto, pretty or json (got "${v}")`);
}

/** `--timezone`: an IANA name, checked when parsed, so a typo never starts a server that ignores it. */
export function timeZone(v: string): string {
  if (!isTimeZone(v)) throw new InputError(`--timezone needs an IANA time zone such as "Europe/Berlin" or "UTC" (got "${v}")`);
  return v;
}
