import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  GraphQLError,
  Kind,
  execute,
  getOperationAST,
  parse,
  validate,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import { operationCost } from './complexity.js';
import { ApiError } from './errors.js';
import type { Fault } from './faults.js';
import { readBody, send, sleep } from './http.js';
import { EMULATOR_USER, type CachedDocument, type EmulatorInstance } from './instance.js';
import type { Refusal } from './limits.js';
import { boardsOf } from './request-log.js';
import { rootValue, type RequestContext } from './resolvers.js';
import { resolveVersion, VERSIONS } from './versions.js';

interface ErrorEntry {
  message: string;
  locations?: unknown;
  path?: unknown;
  extensions?: Record<string, unknown>;
}

const MAX_DOCUMENT_CACHE = 1_000;

/** A realistic per-alias failure: monday's resource protection refusing one write. */
function aliasFault(): ApiError {
  const err = new ApiError('Rate limit exceeded for board-items', 'tooManyRequests', 400, {});
  err.extensions.service = 'data-structure';
  return err;
}

/** Monday words GraphQL validation errors its own way; clients log these, so keep them familiar. */
function mondayValidationError(e: GraphQLError): ErrorEntry {
  const m = /^Cannot query field "([^"]+)" on type "([^"]+)"/.exec(e.message);
  if (m) {
    return {
      message: `Field '${m[1]}' doesn't exist on type '${m[2]}'`,
      locations: e.locations,
      extensions: { code: 'undefinedField', typeName: m[2], fieldName: m[1] },
    };
  }
  return { message: e.message, locations: e.locations, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
}

function compile(inst: EmulatorInstance, query: string): CachedDocument {
  const hit = inst.documents.get(query);
  if (hit) return hit;
  let entry: CachedDocument;
  try {
    const document = parse(query);
    const errors = validate(inst.schema, document);
    entry = errors.length ? { errors: errors.map(mondayValidationError) } : { document };
  } catch (e) {
    const err = e as GraphQLError;
    entry = { errors: [{ message: `Parse error: ${err.message}`, locations: err.locations, extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] };
  }
  if (inst.documents.size >= MAX_DOCUMENT_CACHE) inst.documents.delete(inst.documents.keys().next().value!);
  inst.documents.set(query, entry);
  return entry;
}

/** `POST /v2`: auth, version, limits, faults, idempotency, complexity, then graphql-js. */
export async function handleGraphql(inst: EmulatorInstance, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const arrivedAt = Date.now();
  let logged: { key: string | null; boards: string[] } | undefined;
  const stats = inst.stats;
  stats.requests += 1;
  inst.limiter.inFlight += 1;
  stats.maxInFlight = Math.max(stats.maxInFlight, inst.limiter.inFlight);
  let idemKey: string | undefined;
  let startedAt = 0;
  let versionHeader: Record<string, string> = {};

  const headers = (extra: Record<string, string> = {}) => ({ ...inst.limiter.headers(), ...versionHeader, ...extra });
  const render = (body: Record<string, unknown>) => JSON.stringify({ ...body, extensions: { request_id: requestId } });
  const reply = (status: number, body: Record<string, unknown>, extra: Record<string, string> = {}) => {
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    send(res, status, render(body), headers(extra));
  };
  const fail = (status: number, message: string, code: string, more: Record<string, unknown> = {}, extra: Record<string, string> = {}) =>
    reply(status, { errors: [{ message, extensions: { code, status_code: status, ...more } }] }, extra);
  const refuse = (r: Refusal) => {
    stats.rateLimited += 1;
    stats.rateLimitedByCode[r.code] = (stats.rateLimitedByCode[r.code] ?? 0) + 1;
    if (idemKey) inst.idempotency.abandon(inst.token, idemKey);
    fail(r.status, r.message, r.code, { retry_in_seconds: r.retryInSeconds }, { 'Retry-After': String(r.retryInSeconds) });
  };

  try {
    if (inst.latencyMs > 0) await sleep(inst.latencyMs);
    startedAt = performance.now();

    if (req.method !== 'POST') return void fail(405, 'Only POST is supported', 'METHOD_NOT_ALLOWED');
    if (req.headers.authorization !== inst.token) return void fail(401, 'Not Authenticated', 'Unauthorized');
    const version = resolveVersion(req.headers['api-version'] as string | undefined);
    if ('missing' in version) return void fail(400, 'The API-Version header is required', 'API_VERSION_REQUIRED');
    if ('malformed' in version) {
      return void fail(200, `Invalid API version '${version.malformed}': use YYYY-MM or current`, 'InvalidVersionException', { error_data: { version: version.malformed } });
    }
    versionHeader = { 'API-Version': version.ok.value };

    const refusal = inst.limiter.admit();
    if (refusal) return refuse(refusal);

    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      body = JSON.parse(await readBody(req)) as typeof body;
    } catch {
      return void fail(400, 'Invalid JSON in request body', 'JsonParseException');
    }
    if (typeof body?.query !== 'string' || body.query.trim() === '') return void fail(400, 'No query string was present', 'BAD_REQUEST');
    const variables = body.variables ?? {};
    if (typeof variables !== 'object' || Array.isArray(variables)) return void fail(400, 'variables must be a JSON object', 'BAD_REQUEST');
    const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;

    const compiled = compile(inst, body.query);
    if (!compiled.document) {
      stats.applicationErrors += compiled.errors!.length;
      return void reply(200, { errors: compiled.errors });
    }
    const operation = getOperationAST(compiled.document, operationName);
    if (!operation) return void reply(200, { errors: [{ message: 'Could not determine which operation to run', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
    const isMutation = operation.operation === 'mutation';
    if (isMutation) {
      stats.mutationRequests += 1;
      const key = req.headers['idempotency-key'];
      logged = { key: typeof key === 'string' && key !== '' ? key : null, boards: boardsOf(inst.store, variables as Record<string, unknown>) };
    }
    else stats.queryRequests += 1;

    const key = req.headers['idempotency-key'];
    if (isMutation && typeof key === 'string' && key !== '') {
      const admission = inst.idempotency.begin(inst.token, key);
      if (admission.kind === 'conflict') {
        stats.idempotencyConflicts += 1;
        return void fail(409, 'A request with this Idempotency-Key is still being processed', 'IDEMPOTENCY_CONFLICT', {}, { 'Retry-After': '1' });
      }
      if (admission.kind === 'replay') {
        stats.idempotentReplays += 1;
        stats.byStatus[admission.response.status] = (stats.byStatus[admission.response.status] ?? 0) + 1;
        return void send(res, admission.response.status, admission.response.body, headers({ ...admission.response.headers, 'Idempotency-Replayed': 'true' }));
      }
      idemKey = key;
    }

    const fault = inst.faults.take(isMutation);
    if (fault) {
      stats.faultsInjected += 1;
      // A request cut short by a fault never ran: its key must not block or replay a retry.
      if (await applyEarlyFault(inst, fault, req, res, fail)) {
        if (idemKey) inst.idempotency.abandon(inst.token, idemKey);
        return;
      }
    }

    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const d of compiled.document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
    const cost = operationCost(inst.schema, operation, fragments, variables as Record<string, unknown>, inst.limits.mutationCost);
    if (cost > inst.limits.maxComplexityPerRequest) {
      if (idemKey) inst.idempotency.abandon(inst.token, idemKey);
      stats.applicationErrors += 1;
      return void fail(200, `Query has complexity of ${cost}, which exceeds max complexity of ${inst.limits.maxComplexityPerRequest}`, 'maxComplexityExceeded', {
        error_data: { complexity: cost, max_complexity: inst.limits.maxComplexityPerRequest },
      });
    }
    const charge = inst.limiter.charge(cost);
    if ('code' in charge) return refuse(charge);
    stats.complexityUsed += cost;
    if (isComplexityOnly(operation)) inst.limiter.discountComplexityOnly();

    const mutationFields = operation.selectionSet.selections.filter((s) => s.kind === Kind.FIELD && s.name.value !== 'complexity' && s.name.value !== '__typename').length;
    const failAt = fault?.kind === 'alias_error' ? (fault.options.aliasIndex ?? mutationFields - 1) : -1;
    let mutationIndex = 0;
    const ctx: RequestContext = {
      store: inst.store,
      cursors: inst.cursors,
      baseUrl: inst.baseUrl,
      jobs: inst.jobs,
      activity: inst.activity,
      complexity: { before: int32(charge.before), query: int32(cost), after: int32(charge.after), reset_in_x_seconds: charge.resetInSeconds },
      version: version.ok,
      versions: VERSIONS,
      me: EMULATOR_USER,
      people: inst.people,
      beforeMutation: () => {
        stats.mutations += 1;
        if (mutationIndex++ === failAt) throw aliasFault();
      },
    };
    const result = await execute({
      schema: inst.schema,
      document: compiled.document,
      rootValue,
      contextValue: ctx,
      variableValues: variables as Record<string, unknown>,
      operationName,
      typeResolver: (value) => (value as { __typename?: string }).__typename,
    });
    const errors = result.errors?.map(formatError);
    stats.applicationErrors += errors?.length ?? 0;
    const responseBody: Record<string, unknown> = 'data' in result ? { data: result.data } : {};
    if (errors) responseBody.errors = errors;
    const text = render(responseBody);
    if (idemKey) {
      inst.idempotency.complete(inst.token, idemKey, { status: 200, headers: versionHeader, body: text });
      idemKey = undefined;
    }
    if (isMutation) inst.onChange();
    if (fault?.kind === 'drop_after_commit') return void req.socket.destroy();
    stats.byStatus[200] = (stats.byStatus[200] ?? 0) + 1;
    send(res, 200, text, headers());
  } catch (e) {
    if (idemKey) inst.idempotency.abandon(inst.token, idemKey);
    fail(500, 'Internal server error', 'INTERNAL_SERVER_ERROR', { error_data: { detail: e instanceof Error ? e.message : String(e) } });
  } finally {
    inst.limiter.inFlight -= 1;
    if (logged) inst.mutationLog.add({ startedAt: arrivedAt, finishedAt: Date.now(), idempotencyKey: logged.key, boards: logged.boards, status: res.statusCode });
    if (startedAt) stats.processingMs += performance.now() - startedAt;
  }
}

/**
 * Faults that strike before the request runs. Returns true when the request is finished
 * (answered or dropped); `slow` only stalls it, and drop_after_commit/alias_error act later.
 */
async function applyEarlyFault(
  inst: EmulatorInstance,
  fault: Fault,
  req: IncomingMessage,
  res: ServerResponse,
  fail: (status: number, message: string, code: string, more?: Record<string, unknown>, extra?: Record<string, string>) => void,
): Promise<boolean> {
  switch (fault.kind) {
    case '429': {
      const retry = fault.options.retryInSeconds ?? 1;
      const code = fault.options.code ?? 'MINUTE_RATE_LIMIT_EXCEEDED';
      inst.stats.rateLimited += 1;
      inst.stats.rateLimitedByCode[code] = (inst.stats.rateLimitedByCode[code] ?? 0) + 1;
      fail(429, code === 'COMPLEXITY_BUDGET_EXHAUSTED' ? 'Complexity budget exhausted' : 'Minute rate limit exceeded', code, { retry_in_seconds: retry }, { 'Retry-After': String(retry) });
      return true;
    }
    case '500':
      fail(500, 'Internal server error', 'INTERNAL_SERVER_ERROR');
      return true;
    case '502':
    case '503': {
      // Gateways answer with HTML, not JSON: a client must not assume a JSON body.
      const status = Number(fault.kind);
      inst.stats.byStatus[status] = (inst.stats.byStatus[status] ?? 0) + 1;
      const title = status === 502 ? '502 Bad Gateway' : '503 Service Temporarily Unavailable';
      send(res, status, `<html><head><title>${title}</title></head><body><center><h1>${title}</h1></center></body></html>`, {}, 'text/html');
      return true;
    }
    case 'idempotency_conflict':
      inst.stats.idempotencyConflicts += 1;
      fail(409, 'A request with this Idempotency-Key is still being processed', 'IDEMPOTENCY_CONFLICT', {}, { 'Retry-After': '1' });
      return true;
    case 'drop_before_commit':
      req.socket.destroy();
      return true;
    case 'slow': {
      const delay = fault.options.delayMs ?? 65_000;
      await sleep(delay);
      // The stall is the fault, not the emulator's work.
      inst.stats.processingMs -= delay;
      return false;
    }
    default:
      return false;
  }
}

/** Complexity fields are GraphQL Int; a budget configured past 2^31 reads as the maximum. */
function int32(n: number): number {
  return Math.min(n, 2_147_483_647);
}

function isComplexityOnly(op: OperationDefinitionNode): boolean {
  return op.selectionSet.selections.every((s) => s.kind === Kind.FIELD && s.name.value === 'complexity');
}

function formatError(e: GraphQLError): ErrorEntry {
  const json = e.toJSON() as ErrorEntry;
  if (!e.originalError || e.originalError instanceof ApiError) {
    if (!json.extensions || Object.keys(json.extensions).length === 0) json.extensions = { code: 'GRAPHQL_VALIDATION_FAILED' };
    return json;
  }
  // Anything else thrown while resolving is an emulator bug; answer like monday's generic 500.
  return { ...json, extensions: { code: 'INTERNAL_SERVER_ERROR', status_code: 500, error_data: {} } };
}

/**
 * Runs a document as another user of the account, outside limits and faults: tests act as a
 * planner editing the board (admin route `POST /__emulator/as-user`), and the activity log
 * records that user.
 */
export async function executeAs(inst: EmulatorInstance, userId: string, query: string, variables: Record<string, unknown> = {}): Promise<{ data?: unknown; errors?: ErrorEntry[] }> {
  const compiled = compile(inst, query);
  if (!compiled.document) return { errors: compiled.errors as ErrorEntry[] };
  inst.people.add(userId);
  const ctx: RequestContext = {
    store: inst.store,
    cursors: inst.cursors,
    baseUrl: inst.baseUrl,
    jobs: inst.jobs,
    activity: inst.activity,
    complexity: { before: 0, query: 0, after: 0, reset_in_x_seconds: 0 },
    version: VERSIONS.find((v) => v.kind === 'current') as RequestContext['version'],
    versions: VERSIONS,
    me: { id: userId, name: `User ${userId}`, email: `${userId}@ordersync.local`, account_id: EMULATOR_USER.account_id },
    people: inst.people,
    beforeMutation: () => {
      inst.stats.mutations += 1;
    },
  };
  const result = await execute({ schema: inst.schema, document: compiled.document, rootValue, contextValue: ctx, variableValues: variables, typeResolver: (value) => (value as { __typename?: string }).__typename });
  inst.onChange();
  return { ...('data' in result ? { data: result.data } : {}), ...(result.errors ? { errors: result.errors.map(formatError) } : {}) };
}
