import { OrdersyncError } from '../errors.js';

/**
 * How the client reacts to an error:
 * - `rate`: monday refused before running anything; wait what it asks, then resend.
 * - `transient`: the outcome may be unknown (5xx, timeout, dropped connection, lock);
 *   resend with the same Idempotency-Key so a request that did run is replayed, not repeated.
 * - `daily`: the daily call cap; waiting inside a run would take hours, so the run stops.
 * - `fatal`: the request itself is wrong (validation, permissions); resending cannot help.
 */
export type ErrorClass = 'rate' | 'transient' | 'daily' | 'fatal';

export interface MondayErrorInit {
  code: string;
  message: string;
  /** HTTP status of the exchange (undefined when no response arrived). */
  httpStatus?: number;
  /** `extensions.status_code`: the logical status, which may differ from the HTTP one. */
  statusCode?: number;
  errorData?: Record<string, unknown>;
  path?: readonly (string | number)[];
  retryInSeconds?: number;
  requestId?: string;
  /** True when the request may have run although no answer came back. */
  maybeApplied?: boolean;
  cause?: unknown;
}

export class MondayError extends OrdersyncError {
  readonly code: string;
  /** monday's own wording; `message` adds the code in front for logs and the terminal. */
  readonly mondayMessage: string;
  readonly httpStatus: number | undefined;
  readonly statusCode: number | undefined;
  readonly errorData: Record<string, unknown> | undefined;
  readonly path: readonly (string | number)[] | undefined;
  readonly retryInSeconds: number | undefined;
  readonly requestId: string | undefined;
  readonly maybeApplied: boolean;
  readonly errorClass: ErrorClass;

  constructor(init: MondayErrorInit) {
    super(`${init.code}: ${init.message}`, undefined, { cause: init.cause });
    this.code = init.code;
    this.mondayMessage = init.message;
    this.httpStatus = init.httpStatus;
    this.statusCode = init.statusCode;
    this.errorData = init.errorData;
    this.path = init.path;
    this.retryInSeconds = init.retryInSeconds;
    this.requestId = init.requestId;
    this.maybeApplied = init.maybeApplied ?? false;
    this.errorClass = classifyError(init);
  }

  /** A later request (with a new Idempotency-Key) may succeed where this one failed. */
  get retryable(): boolean {
    return this.errorClass === 'rate' || this.errorClass === 'transient';
  }
}

/**
 * The daily call cap resets at midnight UTC. Surfacing it as its own type lets the run
 * stop cleanly, keep its queue and resume on the next scheduled run.
 */
export class DailyLimitError extends MondayError {
  readonly resetsAt: Date;
  constructor(init: MondayErrorInit, now: Date = new Date()) {
    super(init);
    this.resetsAt = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  }
}

/** Codes that mean "monday is busy, come back later"; the docs and the live API disagree on spelling. */
const RATE_CODES = new Set(
  [
    'COMPLEXITY_BUDGET_EXHAUSTED',
    'ComplexityException',
    'MINUTE_RATE_LIMIT_EXCEEDED',
    'RateLimitExceeded',
    'Rate Limit Exceeded',
    'MAX_CONCURRENCY_EXCEEDED',
    'maxConcurrencyExceeded',
    'IP_RATE_LIMIT_EXCEEDED',
    'FIELD_LIMIT_EXCEEDED',
    'FIELD_MINUTE_RATE_LIMIT_EXCEEDED',
    'tooManyRequests',
  ].map((c) => c.toLowerCase()),
);

const TRANSIENT_CODES = new Set(
  ['API_TEMPORARILY_BLOCKED', 'IDEMPOTENCY_CONFLICT', 'INTERNAL_SERVER_ERROR', 'NETWORK_ERROR', 'TIMEOUT', 'INVALID_RESPONSE'].map((c) =>
    c.toLowerCase(),
  ),
);

/** One query over 5M points: resending the same document can never pass. */
const NEVER_RETRY_CODES = new Set(['maxComplexityExceeded'].map((c) => c.toLowerCase()));

export function classifyError(e: Pick<MondayErrorInit, 'code' | 'httpStatus' | 'statusCode' | 'retryInSeconds'>): ErrorClass {
  const code = e.code.toLowerCase();
  if (code === 'daily_limit_exceeded') return 'daily';
  if (NEVER_RETRY_CODES.has(code)) return 'fatal';
  if (RATE_CODES.has(code) || e.retryInSeconds !== undefined) return 'rate';
  if (e.httpStatus === 429 || e.statusCode === 429) return 'rate';
  if (TRANSIENT_CODES.has(code)) return 'transient';
  // 409 is not here: DeleteLastGroupException uses it too; only IDEMPOTENCY_CONFLICT is worth resending.
  const status = e.httpStatus !== undefined && e.httpStatus !== 200 ? e.httpStatus : e.statusCode;
  if (status !== undefined && (status >= 500 || status === 423)) return 'transient';
  return 'fatal';
}

export function isDailyLimit(e: unknown): e is DailyLimitError {
  return e instanceof DailyLimitError;
}

export interface ErrorContext {
  httpStatus?: number;
  requestId?: string;
  maybeApplied?: boolean;
}

/** One entry of a GraphQL `errors[]` array as monday sends it (unified format, 2025-01+). */
export interface GraphQLErrorJson {
  message?: string;
  path?: (string | number)[];
  extensions?: {
    code?: string;
    status_code?: number;
    error_data?: Record<string, unknown>;
    retry_in_seconds?: number;
    [key: string]: unknown;
  };
}

export function errorFromGraphQL(e: GraphQLErrorJson, ctx: ErrorContext): MondayError {
  const ext = e.extensions ?? {};
  const init: MondayErrorInit = {
    // graphql-js validation errors carry no code; monday's own ones always do.
    code: typeof ext.code === 'string' && ext.code !== '' ? ext.code : 'GRAPHQL_ERROR',
    message: e.message ?? 'no message',
    httpStatus: ctx.httpStatus,
    statusCode: typeof ext.status_code === 'number' ? ext.status_code : undefined,
    errorData: ext.error_data,
    path: Array.isArray(e.path) && e.path.length > 0 ? e.path : undefined,
    retryInSeconds: typeof ext.retry_in_seconds === 'number' ? ext.retry_in_seconds : undefined,
    requestId: ctx.requestId,
    maybeApplied: ctx.maybeApplied,
  };
  return init.code.toLowerCase() === 'daily_limit_exceeded' ? new DailyLimitError(init) : new MondayError(init);
}

/**
 * The errors of a response body. Pinning 2026-10 means the unified format, but the legacy
 * top-level `error_code`/`error_message` shape is mapped too, in case a proxy or an older
 * version answers.
 */
export function errorsFromBody(body: unknown, ctx: ErrorContext): MondayError[] {
  if (typeof body !== 'object' || body === null) return [];
  const b = body as Record<string, unknown>;
  if (Array.isArray(b.errors)) return (b.errors as GraphQLErrorJson[]).map((e) => errorFromGraphQL(e, ctx));
  if (typeof b.error_code === 'string' || typeof b.error_message === 'string') {
    return [
      errorFromGraphQL(
        {
          message: typeof b.error_message === 'string' ? b.error_message : undefined,
          extensions: {
            code: typeof b.error_code === 'string' ? b.error_code : undefined,
            status_code: typeof b.status_code === 'number' ? b.status_code : undefined,
            error_data: (b.error_data as Record<string, unknown> | undefined) ?? undefined,
            retry_in_seconds: typeof b.retry_in_seconds === 'number' ? b.retry_in_seconds : undefined,
          },
        },
        ctx,
      ),
    ];
  }
  return [];
}
