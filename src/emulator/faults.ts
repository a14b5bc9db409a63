/** Failures the emulator can be told to produce, to rehearse a client's recovery paths. */
export const FAULT_KINDS = [
  '429',
  '500',
  '502',
  '503',
  'slow',
  'drop_before_commit',
  'drop_after_commit',
  'alias_error',
  'idempotency_conflict',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultOptions {
  /** Only mutation requests are hit (alias_error always is). */
  mutationsOnly?: boolean;
  /** `slow`: how long the request stalls before it runs (wall-clock ms). Default 65 000, past a 60 s timeout. */
  delayMs?: number;
  /** `429`: the retry hint, in seconds. Default 1. */
  retryInSeconds?: number;
  /** `429`: the error code. Default MINUTE_RATE_LIMIT_EXCEEDED (or COMPLEXITY_BUDGET_EXHAUSTED, DAILY_LIMIT_EXCEEDED …). */
  code?: string;
  /** `alias_error`: which mutation field fails, 0-based; default the last. */
  aliasIndex?: number;
}

export interface FaultRule {
  kind: FaultKind;
  options: FaultOptions;
  /** `next` rules: how many more requests they hit. */
  remaining?: number;
  /** `share` rules: the fraction of requests hit, drawn from a seeded generator. */
  ratio?: number;
}

export interface Fault {
  kind: FaultKind;
  options: FaultOptions;
}

/** mulberry32: small, seedable, good enough to pick which requests fail. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private rules: Array<FaultRule & { random?: () => number }> = [];
  injected = 0;

  /** The next `n` matching requests fail with `kind`. */
  next(n: number, kind: FaultKind, options: FaultOptions = {}): void {
    checkKind(kind);
    this.rules.push({ kind, options, remaining: n });
  }

  /** A seeded `ratio` (0..1) of matching requests fail with `kind`, until cleared. */
  share(ratio: number, kind: FaultKind, seed = 1, options: FaultOptions = {}): void {
    checkKind(kind);
    if (!(ratio >= 0 && ratio <= 1)) throw new RangeError('ratio must be between 0 and 1');
    this.rules.push({ kind, options, ratio, random: prng(seed) });
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map(({ random: _random, ...r }) => r);
  }

  /** The fault for this request, if any; the first matching rule wins and is consumed. */
  take(isMutation: boolean): Fault | undefined {
    for (const rule of this.rules) {
      if (!isMutation && (rule.options.mutationsOnly || rule.kind === 'alias_error')) continue;
      if (rule.remaining !== undefined) {
        if (rule.remaining <= 0) continue;
        rule.remaining -= 1;
      } else if (!(rule.random!() < rule.ratio!)) continue;
      this.rules = this.rules.filter((r) => r.remaining === undefined || r.remaining > 0);
      this.injected += 1;
      return { kind: rule.kind, options: rule.options };
    }
    return undefined;
  }
}

function checkKind(kind: string): asserts kind is FaultKind {
  if (!(FAULT_KINDS as readonly string[]).includes(kind)) throw new RangeError(`unknown fault kind ${kind}; one of ${FAULT_KINDS.join(', ')}`);
}
