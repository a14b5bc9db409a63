/**
 * Waits before monday's complexity budget runs out instead of collecting 429s.
 *
 * The window is monday's: its length comes from the `RateLimit-Policy` header (`w=`), its
 * reset from `complexity { reset_in_x_seconds }` or the `RateLimit` header (`t=`), so the
 * pacer keeps step with any server (monday's 60 s minute, an emulator running faster).
 * Two views of the budget are combined:
 * - our own spend in the current window, capped by the configured budget (the account's
 *   budget may be shared with other integrations, so the configured one can be lower);
 * - what monday last reported (`complexity.after` / the `RateLimit` header), which also
 *   counts everybody else's spend on the account. Spend since that report is deducted locally.
 * Until monday has said anything, the window is a sliding 60 s one.
 */

export interface PacerClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface BudgetReport {
  /** Points left in the current window. */
  remaining: number;
  /** Milliseconds until the window resets. */
  resetInMs: number;
  /** The window's length, when monday said it (`RateLimit-Policy` `w=`). */
  windowMs?: number;
}

export interface Reservation {
  readonly id: number;
  /** Milliseconds spent waiting for room. */
  readonly waitedMs: number;
}

interface Spend {
  id: number;
  at: number;
  cost: number;
}

const DEFAULT_WINDOW_MS = 60_000;

export class Pacer {
  private readonly spends: Spend[] = [];
  private server: { remaining: number; resetAt: number } | undefined;
  private windowMs = DEFAULT_WINDOW_MS;
  /** When monday's current window ends: spend before its start belongs to a window that is over. */
  private windowEndsAt: number | undefined;
  private requestsBlockedUntil = 0;
  private nextId = 1;

  constructor(
    private readonly budgetPerMinute: number,
    private readonly clock: PacerClock,
  ) {}

  /** How long a request costing `cost` has to wait now; 0 when it may go. */
  waitNeeded(cost: number): number {
    const now = this.clock.now();
    this.forgetOld(now);
    let wait = Math.max(0, this.requestsBlockedUntil - now);

    let inWindow = this.spends.reduce((sum, s) => sum + s.cost, 0);
    for (const s of this.spends) {
      if (inWindow + cost <= this.budgetPerMinute) break;
      inWindow -= s.cost;
      wait = Math.max(wait, this.leavesWindowAt(s.at) - now);
    }

    if (this.server && this.server.resetAt > now && this.server.remaining < cost) {
      wait = Math.max(wait, this.server.resetAt - now);
    }
    return wait;
  }

  /** Waits until the window has room for `cost`, then books it. */
  async reserve(cost: number, signal?: AbortSignal): Promise<Reservation> {
    let waitedMs = 0;
    for (let wait = this.waitNeeded(cost); wait > 0; wait = this.waitNeeded(cost)) {
      await this.clock.sleep(wait, signal);
      waitedMs += wait;
    }
    const id = this.nextId++;
    this.spends.push({ id, at: this.clock.now(), cost });
    if (this.server) this.server.remaining -= cost;
    return { id, waitedMs };
  }

  /** Replaces a booking's estimate with what the request really cost (0 when monday refused it). */
  settle(reservation: Reservation, actualCost: number): void {
    const spend = this.spends.find((s) => s.id === reservation.id);
    if (!spend) return;
    if (this.server) this.server.remaining += spend.cost - actualCost;
    spend.cost = actualCost;
  }

  /** monday's own view of the complexity budget, from `complexity { after reset_in_x_seconds }` or headers. */
  observeBudget(report: BudgetReport): void {
    const now = this.clock.now();
    if (report.windowMs !== undefined && report.windowMs > 0) this.windowMs = report.windowMs;
    this.server = { remaining: report.remaining, resetAt: now + report.resetInMs };
    this.windowEndsAt = now + report.resetInMs;
  }

  /** The per-minute request cap is separate from complexity; when it is spent, nothing may go until reset. */
  blockRequestsFor(ms: number): void {
    this.requestsBlockedUntil = Math.max(this.requestsBlockedUntil, this.clock.now() + ms);
  }

  /** When a spend made at `at` stops counting: at the end of monday's window it fell in, else a sliding window later. */
  private leavesWindowAt(at: number): number {
    if (this.windowEndsAt === undefined) return at + this.windowMs;
    let end = this.windowEndsAt;
    while (end - this.windowMs > at) end -= this.windowMs;
    return end;
  }

  private forgetOld(now: number): void {
    if (this.windowEndsAt !== undefined) {
      // Windows follow each other: the one monday reported is over, so the next one is assumed.
      while (this.windowEndsAt <= now) this.windowEndsAt += this.windowMs;
    }
    while (this.spends.length > 0 && this.leavesWindowAt(this.spends[0]!.at) <= now) this.spends.shift();
    if (this.server && this.server.resetAt <= now) this.server = undefined;
  }
}

/** One parsed item of an IETF `RateLimit` / `RateLimit-Policy` header, e.g. `"complexityMinute";r=4950000;t=45`. */
export interface RateLimitEntry {
  name: string;
  params: Record<string, number | string>;
}

export function parseRateLimitHeader(header: string | null): RateLimitEntry[] {
  if (!header) return [];
  const entries: RateLimitEntry[] = [];
  for (const part of splitOutsideQuotes(header, ',')) {
    const [rawName, ...rawParams] = splitOutsideQuotes(part, ';');
    const name = unquote(rawName?.trim() ?? '');
    if (!name) continue;
    const params: Record<string, number | string> = {};
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const key = p.slice(0, eq).trim();
      const value = unquote(p.slice(eq + 1).trim());
      const n = Number(value);
      params[key] = value !== '' && Number.isFinite(n) ? n : value;
    }
    entries.push({ name, params });
  }
  return entries;
}

function splitOutsideQuotes(s: string, sep: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of s) {
    if (ch === '"') quoted = !quoted;
    if (ch === sep && !quoted) {
      out.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  out.push(current);
  return out;
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

/**
 * Learns what a request costs from the complexity monday reports, per operation and per unit
 * (one unit = one aliased mutation, or one read request), so a batch of 20 is priced from
 * what the last batch really cost rather than from a guess.
 */
export class CostEstimator {
  private readonly perUnit = new Map<string, number>();

  constructor(private readonly defaults: { mutation: number; query: number }) {}

  estimate(operation: string, kind: 'mutation' | 'query', units: number): number {
    const per = this.perUnit.get(operation) ?? this.defaults[kind];
    return Math.ceil(per * Math.max(1, units));
  }

  learn(operation: string, units: number, cost: number): void {
    if (cost > 0) this.perUnit.set(operation, cost / Math.max(1, units));
  }
}
