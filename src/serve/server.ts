import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { sql } from 'kysely';
import { bareHost, isLoopback, type ResolvedConfig } from '../config/index.js';
import { isCurrent, type Db } from '../db/index.js';
import { ConfigError, InputError } from '../errors.js';
import { adviceFor, orderHistory, runById, statusSnapshot, buildReport } from '../observe/index.js';
import { DASHBOARD_CSS, DASHBOARD_JS, dashboardData, renderDashboard, renderDashboardMain, uplotAssets } from './dashboard.js';
import { createMetrics } from '../observe/metrics.js';

export interface OpsServerOptions {
  host?: string;
  port?: number;
  /** The bearer token; required when host is not loopback. */
  token?: string;
  envVars?: NodeJS.ProcessEnv;
  /** Where failures are recorded (their details never go to the client); default: JSON lines on stderr. */
  log?: (record: Record<string, unknown>) => void;
}

export interface OpsServer {
  server: Server;
  url: string;
  requiresToken: boolean;
  close(): Promise<void>;
}

/** The token from [server].token_env, or undefined when the variable is unset or empty. */
export function serverToken(cfg: ResolvedConfig, envVars: NodeJS.ProcessEnv = process.env): string | undefined {
  const t = envVars[cfg.settings.server.token_env];
  return t && t.trim() !== '' ? t.trim() : undefined;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'cache-control': 'no-store',
};

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...SECURITY_HEADERS, ...extra });
  res.end(body);
}

const json = (res: ServerResponse, status: number, value: unknown) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));

function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(header);
  if (!m) return false;
  const a = Buffer.from(m[1]!.trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

const MAX_PARAM_CHARS = 1000;

/** A request the client got wrong: answered with `status` and `message`, nothing internal. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The route's parameters, each given at most once; any other parameter is refused. */
function routeParams(url: URL, route: string, accepted: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of url.searchParams) {
    if (!accepted.includes(name)) {
      throw new HttpError(400, `unknown parameter ${JSON.stringify(name.slice(0, 40))} (${route} takes ${accepted.join(', ') || 'none'})`);
    }
    if (out.has(name)) throw new HttpError(400, `${name} is given more than once`);
    out.set(name, value);
  }
  return out;
}

function textParam(params: Map<string, string>, name: string, what: string, required: boolean): string | undefined {
  const value = params.get(name);
  if (value === undefined || value === '') {
    if (required || value === '') throw new HttpError(400, `${name} is required (${what})`);
    return undefined;
  }
  if (value.length > MAX_PARAM_CHARS) throw new HttpError(400, `${name} must be at most ${MAX_PARAM_CHARS} characters (${what})`);
  return value;
}

function runParam(params: Map<string, string>): number | undefined {
  const value = params.get('run');
  if (value === undefined) return undefined;
  const n = /^[1-9]\d{0,14}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new HttpError(400, `run must be a run id (a positive integer), got ${JSON.stringify(value.slice(0, 40))}`);
  return n;
}

/**
 * The host names this server answers to: a page on another name that resolves here (DNS
 * rebinding) must not read the dashboard. Loopback names and this machine's addresses cannot
 * be a rebinding attacker's name; anything else must be listed in [server].allowed_hosts.
 */
function hostAllowed(header: string | undefined, bound: string, wildcard: boolean, configured: ReadonlySet<string>): boolean {
  // Browsers always send Host; a client without one is not a page in a browser.
  if (header === undefined) return true;
  const name = URL.canParse(`http://${header}`) ? bareHost(new URL(`http://${header}`).hostname) : undefined;
  if (name === undefined) return false;
  if (isLoopback(name) || name === bound || configured.has(name)) return true;
  return (
    wildcard &&
    Object.values(networkInterfaces())
      .flat()
      .some((a) => a !== undefined && bareHost(a.address) === name)
  );
}

function defaultLog(record: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`);
}

/**
 * `/healthz` (process up), `/readyz` (database reachable and migrations current),
 * `/metrics` (Prometheus), the dashboard (`/`) and its JSON API (`/api/*`). Bound to
 * loopback by default; on any other address a bearer token is required for /metrics and
 * /api/* and the server refuses to start without one. The page itself holds no data.
 * Every request must name this server in `Host` (421 otherwise); API parameters are
 * checked (400) and failures answer 500 without internals, which go to `log`.
 */
export async function startOpsServer(db: Db, cfg: ResolvedConfig, opts: OpsServerOptions = {}): Promise<OpsServer> {
  const host = opts.host ?? cfg.settings.server.host;
  const port = opts.port ?? cfg.settings.server.port;
  const token = opts.token ?? serverToken(cfg, opts.envVars);
  const log = opts.log ?? defaultLog;
  const requiresToken = !isLoopback(host);
  if (requiresToken && !token) {
    throw new ConfigError(
      `refusing to serve on ${host} without a token: set the variable ${cfg.settings.server.token_env} ([server].token_env), or bind to 127.0.0.1`,
    );
  }
  const metrics = createMetrics(db, cfg.envName);
  const env = cfg.envName;
  const configuredHosts = new Set([bareHost(host), ...cfg.settings.server.allowed_hosts.map(bareHost)]);
  let boundAddress = '';
  let wildcard = false;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (!hostAllowed(req.headers.host, boundAddress, wildcard, configuredHosts)) {
      return send(res, 421, 'text/plain', 'misdirected request: this Host is not served here (list the name in [server].allowed_hosts)\n');
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n', { allow: 'GET, HEAD' });
    if (path === '/healthz') return send(res, 200, 'text/plain', 'ok\n');
    if (path === '/readyz') {
      try {
        await sql`select 1`.execute(db.kysely);
        const current = await isCurrent(db);
        return json(res, current ? 200 : 503, { ready: current, database: 'reachable', migrations: current ? 'current' : 'pending: run `ordersync migrate up`' });
      } catch (err) {
        log({ level: 'error', msg: 'readiness check failed', error: err instanceof Error ? err.message : String(err) });
        return json(res, 503, { ready: false, database: 'unreachable' });
      }
    }
    // Behind a token the page holds no data until the script presents it to /api/dashboard.
    if (path === '/' || path === '/index.html') return send(res, 200, 'text/html; charset=utf-8', renderDashboard(env, requiresToken ? undefined : await dashboardData(db, cfg)));
    if (path === '/dashboard.js') return send(res, 200, 'text/javascript; charset=utf-8', DASHBOARD_JS);
    if (path === '/dashboard.css') return send(res, 200, 'text/css; charset=utf-8', DASHBOARD_CSS);
    if (path === '/vendor/uPlot.iife.min.js') return send(res, 200, 'text/javascript; charset=utf-8', uplotAssets().js);
    if (path === '/vendor/uPlot.min.css') return send(res, 200, 'text/css; charset=utf-8', uplotAssets().css);
    const isApi = path === '/metrics' || path.startsWith('/api/');
    if (!isApi) return send(res, 404, 'text/plain', 'not found\n');
    if (requiresToken && !authorized(req, token!)) return send(res, 401, 'text/plain', 'bearer token required\n', { 'www-authenticate': 'Bearer realm="ordersync"' });
    if (path === '/metrics') return send(res, 200, metrics.registry.contentType, await metrics.scrape());
    if (path === '/api/overview') {
      routeParams(url, path, []);
      const status = await statusSnapshot(db, env);
      const report = await buildReport(db, cfg.settings.alerts, { env });
      return json(res, 200, {
        ...status,
        errors: status.errors.map((e) => ({ ...e, action: adviceFor(e.code).action })),
        customers: report.rows.map(({ errors: _errors, ...r }) => r),
        lastRun: report.run,
      });
    }
    if (path === '/api/dashboard') {
      routeParams(url, path, []);
      const data = await dashboardData(db, cfg);
      return json(res, 200, { env: data.env, at: data.at, banner: data.banner, history: data.history, html: renderDashboardMain(data) });
    }
    if (path === '/api/order') {
      const params = routeParams(url, path, ['key']);
      const key = textParam(params, 'key', 'an order key', true)!;
      return json(res, 200, await orderHistory(db, key));
    }
    if (path === '/api/report') {
      const params = routeParams(url, path, ['run', 'customer']);
      const runId = runParam(params);
      const customer = textParam(params, 'customer', 'a customer name', false);
      if (runId !== undefined) {
        const run = await runById(db, runId);
        if (!run || run.env !== env) throw new HttpError(404, `no run #${runId} in environment ${JSON.stringify(env)}`);
      }
      const report = await buildReport(db, cfg.settings.alerts, { env, runId, customer }).catch((err: unknown) => {
        throw err instanceof InputError ? new HttpError(404, err.message) : err;
      });
      return json(res, 200, report);
    }
    return send(res, 404, 'text/plain', 'not found\n');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) {
        if (!res.headersSent) json(res, err.status, { error: err.message });
        else res.destroy();
        return;
      }
      log({ level: 'error', msg: 'request failed', path: new URL(req.url ?? '/', 'http://localhost').pathname, error: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent) json(res, 500, { error: 'internal error; the server log has the details' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  boundAddress = bareHost(addr.address);
  wildcard = addr.address === '0.0.0.0' || addr.address === '::';
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    server,
    url: `http://${shownHost}:${addr.port}`,
    requiresToken,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
