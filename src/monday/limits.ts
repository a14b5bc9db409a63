/**
 * monday's limits, once (docs/architecture.md, "monday's limits"). Everything that paces,
 * batches, pages, times out or retries a request reads them here: the client, `plan`'s
 * estimate, `doctor`, and the defaults of the [monday] settings, which are unset in the
 * configuration schema unless a file sets them (src/config cannot import src/monday; see
 * docs/architecture.md). This file imports nothing, so any layer above config may read it.
 */
export const MONDAY_LIMITS = {
  /** Complexity points per minute for a personal API token, reads and writes combined (1M on trial and free accounts). */
  complexityPerMinute: 10_000_000,
  /** Complexity points one request may cost; a costlier request is refused outright. */
  complexityPerRequest: 5_000_000,
  /** What one mutation is budgeted at until monday reports the real cost (published figures conflict; ~30k). */
  mutationCost: 30_000,
  /** A typical read (a page of items with the mapped columns). */
  readCost: 10_000,
  /** monday gives up on a request after this long. */
  serverTimeoutMs: 60_000,
  /** Items per `items_page` / `next_items_page`. */
  maxPageSize: 500,
  /** Ids per root `items(ids: …)` query. */
  maxIdsPerItemsQuery: 100,
  /** How long a mutation's response is kept for a replay with the same Idempotency-Key. */
  idempotencyCacheMs: 30 * 60_000,
  /** Labels one status column can hold; creating another is refused. */
  maxStatusLabels: 40,
  /** Characters one status label can have. */
  maxStatusLabelLength: 30,
} as const;

/** Mutations per request beyond which a batch would approach the per-request cap (5M at ~30k each, with a margin). */
export const MAX_BATCH_SIZE = Math.floor((MONDAY_LIMITS.complexityPerRequest / MONDAY_LIMITS.mutationCost) * 0.9);

/** The client's settings when the configuration leaves them unset. */
export const CLIENT_DEFAULTS = {
  /** Aliased mutations per request: 20 × ~30k ≈ 600k points, far under the per-request cap. */
  batchSize: 20,
  /** Longer than monday's own 60 s, so monday answers (or times out) first and a slow mutation is not abandoned mid-flight. */
  timeoutMs: MONDAY_LIMITS.serverTimeoutMs + 10_000,
  /** Resends after a network error, timeout, 5xx, 423 or 409: backoff 0.5 s, 1 s, 2 s … capped at 30 s, at most 5. */
  maxRetries: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  /** Wall-clock cap on all waiting for one request; rate-limit waits are bounded only by this. */
  maxTotalWaitMs: 10 * 60_000,
  complexityPerMinute: MONDAY_LIMITS.complexityPerMinute,
  pageSize: 100,
} as const;
