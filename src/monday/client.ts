import { setTimeout as delay } from 'node:timers/promises';
import { insecureEndpoint } from '../config/index.js';
import { ConfigError } from '../errors.js';
import {
  aliasResults,
  anyApplied,
  buildMutationBatch,
  isRecord,
  type AliasResult,
  type GroupRef,
  type MutationBatch,
  type MutationOp,
} from './batch.js';
import {
  ACTIVITY_LOGS_QUERY,
  BOARD_GROUPS_QUERY,
  GROUP_ITEMS_QUERY,
  BOARD_ITEMS_PAGE_QUERY,
  BOARD_SCHEMA_QUERY,
  ITEMS_BY_COLUMN_VALUES_QUERY,
  ITEMS_BY_IDS_QUERY,
  ME_QUERY,
  NEXT_ITEMS_PAGE_QUERY,
} from './documents.js';
import { DailyLimitError, MondayError, errorsFromBody } from './errors.js';
import { CostEstimator, Pacer, parseRateLimitHeader, type Reservation } from './pacer.js';
import { CLIENT_DEFAULTS, MAX_BATCH_SIZE, MONDAY_LIMITS } from './limits.js';
import { DEFAULT_RETRY_POLICY, backoffDelay, parseRetryAfter, rateLimitDelay, type RetryPolicy } from './retry.js';

export interface MondayClientOptions {
  apiUrl: string;
  apiVersion: string;
  token: string;
  /** Per HTTP exchange; monday itself gives up after 60 s. */
  timeoutMs?: number;
  /** Resends after transient failures; rate-limit waits are bounded by `maxTotalWaitMs` instead. */
  maxRetries?: number;
  maxTotalWaitMs?: number;
  /** Most mutations `mutate` accepts in one request. */
  batchSize?: number;
  complexityBudgetPerMinute?: number;
  /** Pacing shared with other processes on the same monday account (see src/jobs/account-budget.ts). */
  sharedBudget?: SharedBudget;
  /** Starting guess for one mutation's cost, until monday reports real figures. */
  mutationCostEstimate?: number;
  /** Called once per HTTP exchange (retries included). Never sees the token. */
  onExchange?: (record: ExchangeRecord) => void;
  /** Called before each pause: for room in the complexity budget, or before a retry. */
  onWait?: (wait: { ms: number; reason: string }) => void;
  /** Aborts waits and requests, e.g. on SIGTERM. */
  signal?: AbortSignal;
  /** Test seams for time: the HTTP stays real. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

/** A complexity budget several processes draw from: one monday account, many workers. */
export interface SharedBudget {
  /** Waits until the account has room for `cost`, then books it. */
  reserve(cost: number, signal?: AbortSignal): Promise<SharedBooking>;
}
export interface SharedBooking {
  readonly waitedMs: number;
  /** What the request really cost (0 when monday refused it before running it). */
  settle(actualCost: number): Promise<void>;
}

export interface ExchangeRecord {
  operationName: string;
  kind: 'query' | 'mutation';
  /** 0 for the first send, then 1, 2 … for retries of the same logical request. */
  attempt: number;
  idempotencyKey: string | undefined;
  idempotentReplay: boolean;
  startedAt: string;
  durationMs: number;
  requestBody: string;
  responseBody: string | undefined;
  status: number | undefined;
  requestId: string | undefined;
  error: { code: string; message: string } | undefined;
}

export interface MondayStats {
  /** HTTP exchanges, retries included. */
  requests: number;
  queries: number;
  mutationRequests: number;
  /** Aliased mutations submitted (each counted once, however often its request was resent). */
  mutations: number;
  complexityUsed: number;
  retries: number;
  http429: number;
  rateLimitWaits: number;
  rateLimitWaitMs: number;
  idempotentReplays: number;
  errorsByCode: Record<string, number>;
}

export interface ItemReadOptions {
  /** Only these columns' values (cheaper); all columns when absent. */
  columnIds?: readonly string[];
  withSubitems?: boolean;
  subitemColumnIds?: readonly string[];
}

export interface PageOptions extends ItemReadOptions {
  /** Items per page, at most 500. */
  pageSize?: number;
}

export interface ColumnValueRead {
  id: string;
  type: string;
  text: string | null;
  /** monday's raw JSON-encoded string, `null` when empty. */
  value: string | null;
}

export interface MondayItem {
  id: string;
  name: string;
  state: string | null;
  board: { id: string } | null;
  group: { id: string; title: string } | null;
  column_values: ColumnValueRead[];
  subitems?: MondayItem[] | null;
}

export interface ColumnKeyQuery {
  column_id: string;
  column_values: string[];
}

export interface BoardSchemaRead {
  id: string;
  name: string;
  type: string | null;
  items_count: number | null;
  items_limit: number | null;
  columns: { id: string; title: string; type: string; settings: unknown }[];
  groups: GroupRef[];
}

/** An activity log entry; `data` is monday's JSON string of the event's details. */
export interface ActivityLogRead {
  id: string;
  event: string;
  created_at: string;
  user_id: string;
  data: string;
}

export interface MeRead {
  user: { id: string; name: string; email: string };
  version: { value: string; kind: string };
}

interface SendRequest {
  operationName: string;
  query: string;
  variables: Record<string, unknown>;
  kind: 'query' | 'mutation';
  /** Aliased mutations in the request (1 for reads): the cost estimate scales with it. */
  units: number;
  idempotencyKey?: string;
  /** The failure that concerns the whole request (and may justify resending it), if any. */
  judge: (data: Record<string, unknown> | null | undefined, errors: MondayError[]) => MondayError | undefined;
}

interface SendResult {
  data: Record<string, unknown> | null | undefined;
  errors: MondayError[];
  httpStatus: number | undefined;
  requestId: string | undefined;
}

interface Attempt extends SendResult {
  failure: MondayError | undefined;
  retryAfterMs: number | undefined;
  replayed: boolean;
  cost: number | undefined;
}

const DEFAULTS = {
  timeoutMs: CLIENT_DEFAULTS.timeoutMs,
  batchSize: CLIENT_DEFAULTS.batchSize,
  complexityBudgetPerMinute: CLIENT_DEFAULTS.complexityPerMinute,
  mutationCostEstimate: MONDAY_LIMITS.mutationCost,
  queryCostEstimate: MONDAY_LIMITS.readCost,
  pageSize: CLIENT_DEFAULTS.pageSize,
};
const MAX_PAGE_SIZE = MONDAY_LIMITS.maxPageSize;
const MAX_IDS_PER_ITEMS_QUERY = MONDAY_LIMITS.maxIdsPerItemsQuery;

export class MondayClient {
  readonly apiUrl: string;
  readonly apiVersion: string;
  readonly batchSize: number;
  /** The API version monday said it used on the last response (it echoes `API-Version`). */
  servedApiVersion: string | undefined;

  readonly #token: string;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #pacer: Pacer;
  readonly #costs: CostEstimator;
  readonly #sharedBudget: SharedBudget | undefined;
  readonly #onExchange: ((record: ExchangeRecord) => void) | undefined;
  readonly #onWait: MondayClientOptions['onWait'];
  readonly #signal: AbortSignal | undefined;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #random: () => number;
  readonly #stats: MondayStats = {
    requests: 0,
    queries: 0,
    mutationRequests: 0,
    mutations: 0,
    complexityUsed: 0,
    retries: 0,
    http429: 0,
    rateLimitWaits: 0,
    rateLimitWaitMs: 0,
    idempotentReplays: 0,
    errorsByCode: {},
  };

  constructor(options: MondayClientOptions) {
    // Checked here as well as in the config schema: every request carries the token.
    const insecure = insecureEndpoint(options.apiUrl);
    if (insecure) throw new ConfigError(`monday apiUrl ${options.apiUrl}: ${insecure}`);
    if (!options.token) throw new ConfigError('monday token is empty');
    if (!/^(\d{4}-\d{2}|current)$/.test(options.apiVersion)) {
      throw new ConfigError(`monday apiVersion must look like 2026-10, got ${JSON.stringify(options.apiVersion)}`);
    }
    const batchSize = options.batchSize ?? DEFAULTS.batchSize;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
      throw new ConfigError(`monday.batch_size must be an integer from 1 to ${MAX_BATCH_SIZE} (a request may cost ${MONDAY_LIMITS.complexityPerRequest.toLocaleString('en-US')} points, a mutation ~${MONDAY_LIMITS.mutationCost.toLocaleString('en-US')}), got ${batchSize}`);
    }
    this.apiUrl = options.apiUrl;
    this.apiVersion = options.apiVersion;
    this.batchSize = batchSize;
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    this.#retry = {
      ...DEFAULT_RETRY_POLICY,
      ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
      ...(options.maxTotalWaitMs !== undefined ? { maxTotalWaitMs: options.maxTotalWaitMs } : {}),
    };
    this.#onExchange = options.onExchange;
    this.#signal = options.signal;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? abortableSleep;
    this.#random = options.random ?? Math.random;
    this.#onWait = options.onWait;
    this.#pacer = new Pacer(options.complexityBudgetPerMinute ?? DEFAULTS.complexityBudgetPerMinute, {
      now: this.#now,
      sleep: (ms, signal) => {
        this.#onWait?.({ ms, reason: 'the complexity budget' });
        return this.#sleep(ms, signal);
      },
    });
    this.#sharedBudget = options.sharedBudget;
    this.#costs = new CostEstimator({
      mutation: options.mutationCostEstimate ?? DEFAULTS.mutationCostEstimate,
      query: DEFAULTS.queryCostEstimate,
    });
  }

  /** A copy of the counters, for run records and metrics. */
  get stats(): MondayStats {
    return { ...this.#stats, errorsByCode: { ...this.#stats.errorsByCode } };
  }

  /**
   * Sends `ops` as ONE request of aliased mutations and returns one result per op, in order.
   * The caller stores `idempotencyKey` before calling; every resend of this request reuses it.
   * Throws `DailyLimitError` only when nothing was applied; otherwise failures are per op.
   */
  async mutate(ops: readonly MutationOp[], options: { idempotencyKey: string }): Promise<AliasResult[]> {
    if (ops.length === 0) return [];
    if (!options.idempotencyKey) throw new TypeError('mutate needs an idempotencyKey (stored before sending)');
    if (ops.length > this.batchSize) {
      throw new RangeError(
        `${ops.length} mutations exceed the batch size ${this.batchSize}: split them with splitBatches(), one stored key per batch`,
      );
    }
    const batch = buildMutationBatch(ops);
    this.#stats.mutationRequests++;
    this.#stats.mutations += ops.length;
    const result = await this.#send({
      operationName: batch.operationName,
      query: batch.query,
      variables: batch.variables,
      kind: 'mutation',
      units: ops.length,
      idempotencyKey: options.idempotencyKey,
      judge: (data, errors) => judgeMutation(batch, data, errors),
    });
    return aliasResults(batch, result.data, result.errors, result);
  }

  /** Any read document; throws the first `MondayError` when monday reports one. */
  async query<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
    const operationName = /^\s*query\s+(\w+)/.exec(document)?.[1] ?? 'anonymous';
    this.#stats.queries++;
    const result = await this.#send({
      operationName,
      query: document,
      variables,
      kind: 'query',
      units: 1,
      judge: (_data, errors) => errors.find((e) => !e.retryable) ?? errors[0],
    });
    const first = result.errors.find((e) => !e.retryable) ?? result.errors[0];
    if (first) throw first;
    return (result.data ?? {}) as T;
  }

  async me(): Promise<MeRead> {
    const data = await this.query<{ me: MeRead['user'] | null; version: MeRead['version'] }>(ME_QUERY);
    if (!data.me) throw new MondayError({ code: 'NO_USER', message: 'monday returned no user for this token' });
    return { user: data.me, version: data.version };
  }

  /** One page of each board's activity log between two times (ISO 8601), newest first. */
  async activityLogs(boardIds: readonly string[], window: { from: string; to: string; limit: number; page: number }): Promise<Map<string, ActivityLogRead[]>> {
    const data = await this.query<{ boards: Array<{ id: string; activity_logs: ActivityLogRead[] | null }> | null }>(ACTIVITY_LOGS_QUERY, { boardIds, ...window });
    return new Map((data.boards ?? []).map((b) => [b.id, b.activity_logs ?? []]));
  }

  async boardSchema(boardId: string): Promise<BoardSchemaRead> {
    const data = await this.query<{ boards: BoardSchemaRead[] | null }>(BOARD_SCHEMA_QUERY, { boardIds: [boardId] });
    return requireBoard(data.boards, boardId);
  }

  async groups(boardId: string): Promise<GroupRef[]> {
    const data = await this.query<{ boards: { id: string; groups: GroupRef[] | null }[] | null }>(BOARD_GROUPS_QUERY, {
      boardId,
    });
    return requireBoard(data.boards, boardId).groups ?? [];
  }

  /** The board's active groups among `groupIds`, each with whether it still holds an active item. */
  async groupOccupancy(boardId: string, groupIds: readonly string[]): Promise<Array<GroupRef & { hasItems: boolean }>> {
    if (groupIds.length === 0) return [];
    const data = await this.query<{ boards: { id: string; groups: Array<GroupRef & { items_page: { items: { id: string }[] } }> | null }[] | null }>(GROUP_ITEMS_QUERY, {
      boardId,
      groupIds,
    });
    return (requireBoard(data.boards, boardId).groups ?? []).map((g) => ({ id: g.id, title: g.title, hasItems: g.items_page.items.length > 0 }));
  }

  /** Items whose columns match whole values (case-insensitively, monday's rule), all pages. */
  async findItemsByColumnValues(
    boardId: string,
    columns: readonly ColumnKeyQuery[],
    options: PageOptions = {},
  ): Promise<MondayItem[]> {
    const limit = pageSize(options);
    const first = await this.query<{ items_page_by_column_values: ItemsPage }>(ITEMS_BY_COLUMN_VALUES_QUERY, {
      boardId,
      columns,
      limit,
      ...itemVariables(options),
    });
    return this.#collect(first.items_page_by_column_values, options);
  }

  /** By id, archived and deleted ones included (check `state`); 100 ids per request. */
  async itemsByIds(ids: readonly string[], options: ItemReadOptions = {}): Promise<MondayItem[]> {
    const out: MondayItem[] = [];
    for (let i = 0; i < ids.length; i += MAX_IDS_PER_ITEMS_QUERY) {
      const chunk = ids.slice(i, i + MAX_IDS_PER_ITEMS_QUERY);
      const data = await this.query<{ items: MondayItem[] | null }>(ITEMS_BY_IDS_QUERY, {
        ids: chunk,
        limit: chunk.length,
        ...itemVariables(options),
      });
      out.push(...(data.items ?? []));
    }
    return out;
  }

  /** Every active item of a board, page by page (cursors expire after 60 minutes). */
  async *boardItemPages(
    boardId: string,
    options: PageOptions & { queryParams?: Record<string, unknown> } = {},
  ): AsyncGenerator<MondayItem[]> {
    const limit = pageSize(options);
    const data = await this.query<{ boards: { items_page: ItemsPage }[] | null }>(BOARD_ITEMS_PAGE_QUERY, {
      boardId,
      limit,
      ...(options.queryParams ? { queryParams: options.queryParams } : {}),
      ...itemVariables(options),
    });
    let page: ItemsPage = requireBoard(data.boards, boardId).items_page;
    yield page.items;
    while (page.cursor) {
      page = await this.#nextPage(page.cursor, options);
      yield page.items;
    }
  }

  async boardItems(boardId: string, options: PageOptions & { queryParams?: Record<string, unknown> } = {}): Promise<MondayItem[]> {
    const out: MondayItem[] = [];
    for await (const items of this.boardItemPages(boardId, options)) out.push(...items);
    return out;
  }

  async #collect(page: ItemsPage, options: PageOptions): Promise<MondayItem[]> {
    const out = [...page.items];
    while (page.cursor) {
      page = await this.#nextPage(page.cursor, options);
      out.push(...page.items);
    }
    return out;
  }

  async #nextPage(cursor: string, options: PageOptions): Promise<ItemsPage> {
    const data = await this.query<{ next_items_page: ItemsPage }>(NEXT_ITEMS_PAGE_QUERY, {
      cursor,
      limit: pageSize(options),
      ...itemVariables(options),
    });
    return data.next_items_page;
  }

  async #send(req: SendRequest): Promise<SendResult> {
    const requestBody = JSON.stringify({ query: req.query, variables: req.variables, operationName: req.operationName });
    const costKey = req.kind === 'mutation' ? 'mutation' : req.operationName;
    let transientRetries = 0;
    let retryWaitMs = 0;

    let current = req;
    for (let attempt = 0; ; attempt++) {
      const estimate = this.#costs.estimate(costKey, req.kind, req.units);
      const reservation = await this.#reserve(estimate);
      const shared = await this.#reserveShared(estimate);
      const result = await this.#exchange(current, requestBody, attempt, reservation);
      await shared?.settle(result.cost ?? (result.failure?.errorClass === 'rate' ? 0 : estimate));
      if (result.cost !== undefined) this.#costs.learn(costKey, req.units, result.cost);

      const failure = result.failure;
      if (!failure) return result;
      if (failure instanceof DailyLimitError) throw failure;
      // A replay is monday's cached answer: resending the same key would only replay it again.
      if (!failure.retryable || result.replayed) return result;

      let wait: number;
      if (failure.errorClass === 'rate') {
        wait = rateLimitDelay(failure, result.retryAfterMs, backoffDelay(attempt, this.#retry, this.#random), this.#random);
      } else {
        if (transientRetries >= this.#retry.maxRetries) return result;
        // An idempotency conflict says when the first request will be done.
        wait = Math.max(backoffDelay(transientRetries, this.#retry, this.#random), result.retryAfterMs ?? 0);
        transientRetries++;
      }
      if (retryWaitMs + wait > this.#retry.maxTotalWaitMs) return result;
      retryWaitMs += wait;
      this.#stats.retries++;
      if (failure.errorClass === 'rate') {
        // A budget refusal inside an HTTP 200 answer comes before anything ran, yet monday
        // caches that answer under the key: the resend gets a derived key so it is executed,
        // not replayed. (Reconcile matches by business key, never by idempotency key.)
        if (req.idempotencyKey && !failure.maybeApplied && result.httpStatus === 200) {
          current = { ...req, idempotencyKey: `${req.idempotencyKey}~${attempt + 1}` };
        }
        // Through the pacer, so every other request of this client holds back too.
        this.#pacer.blockRequestsFor(wait);
      } else {
        this.#onWait?.({ ms: wait, reason: `a retry after ${failure.code}` });
        await this.#sleep(wait, this.#signal);
      }
    }
  }

  async #reserve(estimate: number): Promise<Reservation> {
    const reservation = await this.#pacer.reserve(estimate, this.#signal);
    if (reservation.waitedMs > 0) {
      this.#stats.rateLimitWaits++;
      this.#stats.rateLimitWaitMs += reservation.waitedMs;
    }
    return reservation;
  }

  async #reserveShared(estimate: number): Promise<SharedBooking | undefined> {
    if (!this.#sharedBudget) return undefined;
    const booking = await this.#sharedBudget.reserve(estimate, this.#signal);
    if (booking.waitedMs > 0) {
      this.#stats.rateLimitWaits++;
      this.#stats.rateLimitWaitMs += booking.waitedMs;
    }
    return booking;
  }

  async #exchange(req: SendRequest, requestBody: string, attempt: number, reservation: Reservation): Promise<Attempt> {
    const headers: Record<string, string> = {
      Authorization: this.#token,
      'API-Version': this.apiVersion,
      'Content-Type': 'application/json',
    };
    if (req.kind === 'mutation' && req.idempotencyKey) headers['Idempotency-Key'] = req.idempotencyKey;

    const startedAt = this.#now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs);
    const onAbort = () => controller.abort();
    this.#signal?.addEventListener('abort', onAbort, { once: true });
    this.#stats.requests++;

    let status: number | undefined;
    let responseBody: string | undefined;
    let responseHeaders: Headers | undefined;
    let transportError: MondayError | undefined;
    try {
      const res = await fetch(this.apiUrl, { method: 'POST', headers, body: requestBody, signal: controller.signal });
      status = res.status;
      responseHeaders = res.headers;
      responseBody = await res.text();
    } catch (cause) {
      if (this.#signal?.aborted) throw this.#signal.reason ?? cause;
      const timedOut = controller.signal.aborted;
      transportError = new MondayError({
        code: timedOut ? 'TIMEOUT' : 'NETWORK_ERROR',
        message: timedOut
          ? `no complete answer within ${this.#timeoutMs} ms`
          : `connection failed: ${describeCause(cause)}`,
        httpStatus: status,
        // The request may have reached monday; the same Idempotency-Key makes a resend safe.
        maybeApplied: req.kind === 'mutation',
        cause,
      });
    } finally {
      clearTimeout(timer);
      this.#signal?.removeEventListener('abort', onAbort);
    }

    const attemptResult = this.#interpret(req, status, responseHeaders, responseBody, transportError);
    this.#account(attemptResult, responseHeaders, reservation);
    this.#emit({
      operationName: req.operationName,
      kind: req.kind,
      attempt,
      idempotencyKey: headers['Idempotency-Key'],
      idempotentReplay: attemptResult.replayed,
      startedAt: new Date(startedAt).toISOString(),
      durationMs: this.#now() - startedAt,
      requestBody,
      responseBody,
      status,
      requestId: attemptResult.requestId,
      error: attemptResult.failure
        ? { code: attemptResult.failure.code, message: attemptResult.failure.mondayMessage }
        : undefined,
    });
    return attemptResult;
  }

  #interpret(
    req: SendRequest,
    status: number | undefined,
    headers: Headers | undefined,
    text: string | undefined,
    transportError: MondayError | undefined,
  ): Attempt {
    const retryAfterMs = parseRetryAfter(headers?.get('retry-after') ?? null, this.#now());
    const replayed = headers?.get('idempotency-replayed') === 'true';
    const base = { httpStatus: status, retryAfterMs, replayed, cost: undefined, requestId: undefined, data: undefined };
    if (transportError) return { ...base, errors: [transportError], failure: transportError };

    const body = parseJson(text);
    const requestId = isRecord(body) && isRecord(body.extensions) ? stringOrUndefined(body.extensions.request_id) : undefined;
    // A 5xx may come after the mutations ran; the caller reconciles such ops instead of assuming failure.
    const maybeApplied = req.kind === 'mutation' && status !== undefined && status >= 500;
    const ctx = { httpStatus: status, requestId, maybeApplied };
    const data = isRecord(body) && isRecord(body.data) ? body.data : undefined;
    const complexity = data && isRecord(data.complexity) ? data.complexity : undefined;
    const cost = typeof complexity?.query === 'number' ? complexity.query : undefined;
    const errors = errorsFromBody(body, ctx);

    if (status !== 200 || body === undefined) {
      if (errors.length === 0) {
        errors.push(
          new MondayError({
            code: body === undefined && status === 200 ? 'INVALID_RESPONSE' : `HTTP_${status}`,
            message: `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`,
            httpStatus: status,
            requestId,
            maybeApplied,
          }),
        );
      }
      const failure = errors.find((e) => e instanceof DailyLimitError) ?? errors[0];
      return { ...base, data, errors, failure, requestId, cost };
    }
    return { ...base, data, errors, failure: req.judge(data, errors), requestId, cost };
  }

  #account(attempt: Attempt, headers: Headers | undefined, reservation: Reservation): void {
    if (attempt.httpStatus === 429) this.#stats.http429++;
    if (attempt.replayed) this.#stats.idempotentReplays++;
    for (const e of attempt.errors) this.#stats.errorsByCode[e.code] = (this.#stats.errorsByCode[e.code] ?? 0) + 1;
    const version = headers?.get('api-version');
    if (version) this.servedApiVersion = version;

    const complexity = attempt.data && isRecord(attempt.data.complexity) ? attempt.data.complexity : undefined;
    if (attempt.cost !== undefined) {
      this.#stats.complexityUsed += attempt.cost;
      this.#pacer.settle(reservation, attempt.cost);
    } else if (attempt.failure?.errorClass === 'rate') {
      // A rate-limited request never ran, so it spent no complexity.
      this.#pacer.settle(reservation, 0);
    }

    const rateLimit = parseRateLimitHeader(headers?.get('ratelimit') ?? null);
    const policy = parseRateLimitHeader(headers?.get('ratelimit-policy') ?? null).find((e) => e.name === 'complexityMinute');
    const windowMs = typeof policy?.params.w === 'number' ? policy.params.w * 1000 : undefined;
    const after = complexity?.after;
    const resetIn = complexity?.reset_in_x_seconds;
    if (typeof after === 'number' && typeof resetIn === 'number') {
      this.#pacer.observeBudget({ remaining: after, resetInMs: resetIn * 1000, windowMs });
    } else {
      const minute = rateLimit.find((e) => e.name === 'complexityMinute');
      if (minute && typeof minute.params.r === 'number' && typeof minute.params.t === 'number') {
        this.#pacer.observeBudget({ remaining: minute.params.r, resetInMs: minute.params.t * 1000, windowMs });
      }
    }
    const requests = rateLimit.find((e) => e.name === 'minuteRate');
    if (requests && typeof requests.params.r === 'number' && requests.params.r <= 0 && typeof requests.params.t === 'number') {
      this.#pacer.blockRequestsFor(requests.params.t * 1000);
    }
  }

  #emit(record: ExchangeRecord): void {
    if (!this.#onExchange) return;
    const token = this.#token;
    const scrub = (s: string | undefined) => (s === undefined ? s : s.split(token).join('[REDACTED]'));
    try {
      this.#onExchange({
        ...record,
        requestBody: scrub(record.requestBody)!,
        responseBody: scrub(record.responseBody),
        error: record.error ? { code: record.error.code, message: scrub(record.error.message)! } : undefined,
      });
    } catch {
      // The exchange already happened: a failing log hook must not turn a committed write
      // into an apparent failure (the caller would then retry it and create duplicates).
    }
  }
}

interface ItemsPage {
  cursor: string | null;
  items: MondayItem[];
}

/**
 * Whether a 200 answer to a batch failed as a whole. Once any alias succeeded the request is
 * never resent: the successes are real and the failed ops go back to the caller individually.
 */
function judgeMutation(
  batch: MutationBatch,
  data: Record<string, unknown> | null | undefined,
  errors: MondayError[],
): MondayError | undefined {
  if (errors.length === 0 || anyApplied(batch, data)) return undefined;
  return errors.find((e) => e instanceof DailyLimitError) ?? errors.find((e) => !e.retryable) ?? errors[0];
}

/** `boards(ids: [one])` answers an empty list, not an error, for a missing or hidden board. */
function requireBoard<T>(boards: T[] | null | undefined, boardId: string): T {
  const board = boards?.[0];
  if (!board) {
    throw new MondayError({
      code: 'BOARD_NOT_FOUND',
      message: `board ${boardId} does not exist or this token cannot see it`,
      errorData: { board_id: boardId },
    });
  }
  return board;
}

function itemVariables(options: ItemReadOptions): Record<string, unknown> {
  return {
    withSubitems: options.withSubitems ?? false,
    ...(options.columnIds ? { columnIds: options.columnIds } : {}),
    ...(options.subitemColumnIds ? { subitemColumnIds: options.subitemColumnIds } : {}),
  };
}

function pageSize(options: PageOptions): number {
  const size = options.pageSize ?? DEFAULTS.pageSize;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new RangeError(`page size must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${size}`);
  }
  return size;
}

/** Rejects with the abort reason itself, so a stop request surfaces as what it is. */
async function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (e) {
    throw signal?.aborted ? signal.reason : e;
  }
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function stringOrUndefined(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
    return `${cause.message}${inner}`;
  }
  return String(cause);
}
