import type { MondayError } from './errors.js';
import { CLIENT_DEFAULTS } from './limits.js';

export interface RetryPolicy {
  /** Resends after transient failures (5xx, timeouts, dropped connections, 423). */
  maxRetries: number;
  /** Wall-clock cap on all waiting for one request; rate-limit waits are bounded only by this. */
  maxTotalWaitMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: CLIENT_DEFAULTS.maxRetries,
  maxTotalWaitMs: CLIENT_DEFAULTS.maxTotalWaitMs,
  baseDelayMs: CLIENT_DEFAULTS.baseDelayMs,
  maxDelayMs: CLIENT_DEFAULTS.maxDelayMs,
};

/** Rate-limit waits get a little spread so several workers do not all return in the same instant. */
const RATE_JITTER_MS = 1_000;
/** Guards against a `retry_in_seconds: 0` loop hammering the API. */
const MIN_RATE_WAIT_MS = 250;

/** Exponential backoff with "equal jitter": never below half the step, so retries stay spaced. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(step / 2 + (random() * step) / 2);
}

/** `Retry-After` is either delta-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** monday says to wait the longer of `Retry-After` and `retry_in_seconds`. */
export function rateLimitDelay(
  error: MondayError,
  retryAfterMs: number | undefined,
  fallbackMs: number,
  random: () => number,
): number {
  const fromBody = error.retryInSeconds !== undefined ? error.retryInSeconds * 1000 : undefined;
  const asked = Math.max(retryAfterMs ?? -1, fromBody ?? -1);
  const base = asked >= 0 ? asked : fallbackMs;
  return Math.max(MIN_RATE_WAIT_MS, base) + Math.round(random() * RATE_JITTER_MS);
}
