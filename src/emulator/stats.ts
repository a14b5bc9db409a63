/** Counters benchmarks and tests read through `stats()` or `GET /__emulator/stats`. */
export interface EmulatorStats {
  requests: number;
  queryRequests: number;
  mutationRequests: number;
  /** Mutation fields executed (an aliased batch of 20 counts 20). */
  mutations: number;
  /** Complexity points charged since start (or the last reset). */
  complexityUsed: number;
  /** Requests answered 429, in total and by code. */
  rateLimited: number;
  rateLimitedByCode: Record<string, number>;
  /** Entries in `errors[]` of HTTP-200 answers. */
  applicationErrors: number;
  byStatus: Record<string, number>;
  faultsInjected: number;
  idempotentReplays: number;
  idempotencyConflicts: number;
  maxInFlight: number;
  /** Time spent handling /v2 requests, excluding configured latency and `slow` faults. */
  processingMs: number;
}

export function emptyStats(): EmulatorStats {
  return {
    requests: 0,
    queryRequests: 0,
    mutationRequests: 0,
    mutations: 0,
    complexityUsed: 0,
    rateLimited: 0,
    rateLimitedByCode: {},
    applicationErrors: 0,
    byStatus: {},
    faultsInjected: 0,
    idempotentReplays: 0,
    idempotencyConflicts: 0,
    maxInFlight: 0,
    processingMs: 0,
  };
}
