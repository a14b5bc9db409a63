import type { Clock } from './clock.js';

export interface EmulatorLimits {
  /** Complexity points per token per minute (personal token: 10M). */
  complexityPerMinute: number;
  /** A single request costing more is refused before it runs. */
  maxComplexityPerRequest: number;
  /** Flat cost of each mutation field. */
  mutationCost: number;
  requestsPerMinute: number;
  maxConcurrent: number;
  /** Calls per (emulated) day; refused requests count 0.1. */
  dailyCalls: number;
  /** Default `items_limit` of boards. */
  itemsPerBoard: number;
  cursorTtlMinutes: number;
  idempotencyTtlMinutes: number;
  /** How long `undo_action` can undo a bulk_archive_items job (monday does not document it). */
  undoTtlMinutes: number;
}

/** Personal-token budgets; request and concurrency caps of the smallest plans; Pro's daily cap. */
export const DEFAULT_LIMITS: EmulatorLimits = {
  complexityPerMinute: 10_000_000,
  maxComplexityPerRequest: 5_000_000,
  mutationCost: 30_000,
  requestsPerMinute: 1_000,
  maxConcurrent: 40,
  dailyCalls: 10_000,
  itemsPerBoard: 100_000,
  cursorTtlMinutes: 60,
  idempotencyTtlMinutes: 30,
  undoTtlMinutes: 24 * 60,
};

const MINUTE = 60_000;
const DAY = 86_400_000;

export interface Refusal {
  status: number;
  code: string;
  message: string;
  retryInSeconds: number;
}

/**
 * A window opens with the first call and closes a fixed span later, as monday describes its
 * budget ("resets 60 seconds after the first API call was made").
 */
class Window {
  private start = -Infinity;
  used = 0;
  constructor(
    private readonly clock: Clock,
    private readonly span: number,
  ) {}
  private roll(): void {
    const now = this.clock.now();
    if (now - this.start >= this.span) {
      this.start = now;
      this.used = 0;
    }
  }
  clear(): void {
    this.start = -Infinity;
    this.used = 0;
  }
  usedNow(): number {
    this.roll();
    return this.used;
  }
  add(n: number): void {
    this.roll();
    this.used += n;
  }
  /** Emulated ms until the window resets (a full span when none is open). */
  resetInMs(): number {
    const now = this.clock.now();
    return now - this.start >= this.span ? this.span : this.start + this.span - now;
  }
}

export interface Charge {
  before: number;
  after: number;
  resetInSeconds: number;
}

export class RateLimiter {
  inFlight = 0;
  private readonly complexity: Window;
  private readonly requests: Window;
  private readonly daily: Window;

  constructor(
    readonly limits: EmulatorLimits,
    private readonly clock: Clock,
  ) {
    this.complexity = new Window(clock, MINUTE);
    this.requests = new Window(clock, MINUTE);
    this.daily = new Window(clock, DAY);
  }

  reset(): void {
    this.complexity.clear();
    this.requests.clear();
    this.daily.clear();
  }

  /** Checks the per-request caps in the order monday applies them; counts the call. */
  admit(): Refusal | undefined {
    const refusal = this.check();
    this.daily.add(refusal ? 0.1 : 1);
    if (!refusal) this.requests.add(1);
    return refusal;
  }

  private check(): Refusal | undefined {
    const l = this.limits;
    if (this.daily.usedNow() + 1 > l.dailyCalls) {
      return { status: 429, code: 'DAILY_LIMIT_EXCEEDED', message: 'Daily limit exceeded', retryInSeconds: this.wait(this.daily.resetInMs()) };
    }
    if (this.requests.usedNow() + 1 > l.requestsPerMinute) {
      return { status: 429, code: 'MINUTE_RATE_LIMIT_EXCEEDED', message: 'Minute rate limit exceeded', retryInSeconds: this.wait(this.requests.resetInMs()) };
    }
    if (this.inFlight > l.maxConcurrent) {
      return { status: 429, code: 'MAX_CONCURRENCY_EXCEEDED', message: 'Concurrency limit exceeded', retryInSeconds: this.wait(15_000) };
    }
    return undefined;
  }

  /** Refunds the 0.9 of a call a complexity-only request does not cost. */
  discountComplexityOnly(): void {
    this.daily.add(-0.9);
  }

  /** Spends `cost` from the minute budget, or says how long to wait. */
  charge(cost: number): Charge | Refusal {
    const before = this.limits.complexityPerMinute - this.complexity.usedNow();
    if (cost > before) {
      return { status: 429, code: 'COMPLEXITY_BUDGET_EXHAUSTED', message: 'Complexity budget exhausted', retryInSeconds: this.wait(this.complexity.resetInMs()) };
    }
    this.complexity.add(cost);
    return { before, after: before - cost, resetInSeconds: this.clock.realSeconds(this.complexity.resetInMs()) };
  }

  /** Retry hints are whole wall-clock seconds, never 0, so a client always backs off. */
  private wait(emulatedMs: number): number {
    return Math.max(1, this.clock.realSeconds(emulatedMs));
  }

  /** IETF RateLimit headers, windows in wall-clock seconds. */
  headers(): Record<string, string> {
    const l = this.limits;
    const w = Math.max(1, this.clock.realSeconds(MINUTE));
    const complexityLeft = Math.max(0, l.complexityPerMinute - this.complexity.usedNow());
    return {
      'RateLimit-Policy': `"minuteRate";q=${l.requestsPerMinute};w=${w}, "concurrency";q=${l.maxConcurrent};qu="concurrent-requests", "complexityMinute";q=${l.complexityPerMinute};w=${w}`,
      RateLimit: `"minuteRate";r=${Math.max(0, l.requestsPerMinute - this.requests.usedNow())}, "concurrency";r=${Math.max(0, l.maxConcurrent - this.inFlight)}, "complexityMinute";r=${complexityLeft};t=${this.clock.realSeconds(this.complexity.resetInMs())}`,
    };
  }

  /** Complexity budget spent in the current window. */
  complexityUsed(): number {
    return this.complexity.usedNow();
  }

  dailyUsed(): number {
    return this.daily.usedNow();
  }
}
