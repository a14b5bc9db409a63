import { boardKey, mondayApiUrl, optionalSecret, type ResolvedConfig, type Settings } from '../config/index.js';
import { databaseTarget, notCreatedYet, openDatabase, dialectAdapter, migrationStatus, type Db } from '../db/index.js';
import { checkRequiredColumns, resolveSizeColumns, stagingColumns } from '../merge/staging-columns.js';
import {
  fetchBoardSnapshot,
  MondayClient,
  clientSettings,
  MONDAY_LIMITS,
  parseRateLimitHeader,
  readSnapshots,
  boardChecks,
  type BoardSnapshot,
} from '../monday/index.js';
import { keyColumns } from '../sync/board-match.js';
import { SUPPORTED_API_VERSIONS } from '../version.js';
import { adviceFor } from '../observe/advice.js';
import { boardDrift, driftColumnIds } from './board-drift.js';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  message: string;
  /** What to do about a warning or failure. */
  fix?: string;
  details?: string[];
}

export interface DoctorReport {
  env: string;
  checks: DoctorCheck[];
  /** 0 all pass, 2 warnings, 1 a failure. */
  exitCode: 0 | 1 | 2;
}

export interface DoctorOptions {
  envVars?: NodeJS.ProcessEnv;
  /** Run only the database checks (no token, no network). */
  offline?: boolean;
}

/**
 * `ordersync doctor`: everything a run depends on, checked in the order a run needs it,
 * each with pass / warn / fail and the fix. Never writes anything.
 */
export async function runDoctor(cfg: ResolvedConfig, opts: DoctorOptions = {}): Promise<DoctorReport> {
  const envVars = opts.envVars ?? process.env;
  const s = cfg.settings;
  const checks: DoctorCheck[] = [];
  const add = (c: DoctorCheck) => checks.push(c);

  await databaseChecks(cfg, envVars, add);
  await alertsCheck(s, envVars, add, { probe: !opts.offline });
  if (!opts.offline) await mondayChecks(cfg, s, envVars, add);

  const exitCode = checks.some((c) => c.status === 'fail') ? 1 : checks.some((c) => c.status === 'warn') ? 2 : 0;
  return { env: cfg.envName, checks, exitCode };
}

async function databaseChecks(cfg: ResolvedConfig, envVars: NodeJS.ProcessEnv, add: (c: DoctorCheck) => void): Promise<void> {
  const s = cfg.settings;
  let db: Db | undefined;
  try {
    const target = databaseTarget(cfg, envVars);
    if (notCreatedYet(target)) {
      add({ name: 'database', status: 'fail', message: `SQLite file ${target.path} does not exist`, fix: `create it with \`ordersync migrate up --env ${cfg.envName}\`` });
      return;
    }
    db = await openDatabase(target);
    const status = await migrationStatus(db);
    add({ name: 'database', status: 'pass', message: `${target.dialect} reachable` });
    const pending = status.filter((m) => m.appliedAt === null).map((m) => m.name);
    add(
      pending.length === 0
        ? { name: 'migrations', status: 'pass', message: `schema current (${status.length} migrations)` }
        : { name: 'migrations', status: 'fail', message: `${pending.length} migration(s) not applied: ${pending.join(', ')}`, fix: `ordersync migrate up --env ${cfg.envName}` },
    );
    await stagingCheck(db, s, add);
  } catch (err) {
    add({ name: 'database', status: 'fail', message: `cannot open the database: ${messageOf(err)}`, fix: databaseFix(s) });
  } finally {
    await db?.close().catch(() => undefined);
  }
}

function databaseFix(s: Settings): string {
  const adapter = dialectAdapter(s.database.dialect);
  return adapter.location === 'url_env'
    ? `check that ${s.database.url_env} holds a reachable ${adapter.engine} URL and the user may connect`
    : `check database.${adapter.location} and the folder permissions`;
}

async function stagingCheck(db: Db, s: Settings, add: (c: DoctorCheck) => void): Promise<void> {
  let columns: string[];
  try {
    columns = await stagingColumns(db.raw, db.dialect, s.staging.table);
  } catch (err) {
    add({ name: 'staging', status: 'fail', message: messageOf(err), fix: 'load staging (`ordersync ingest`) or fix staging.table' });
    return;
  }
  const problems: string[] = [];
  try {
    resolveSizeColumns(s.staging, columns);
  } catch (err) {
    problems.push(messageOf(err));
  }
  try {
    checkRequiredColumns(s, columns);
  } catch (err) {
    problems.push(messageOf(err));
  }
  add(
    problems.length === 0
      ? { name: 'staging', status: 'pass', message: `table "${s.staging.table}" has the key, size markers and every mapped column (${columns.length} columns)` }
      : { name: 'staging', status: 'fail', message: `table "${s.staging.table}" has drifted from the config`, details: problems, fix: 'ask upstream to restore the columns, or update [staging] / [mapping.columns]' },
  );
}

/**
 * Where the alerts go. Unset is a choice (exit codes and logs only); set, it must be an http(s)
 * URL whose host answers, or every alert of every run is lost while doctor says PASS. Probed
 * with HEAD, which posts nothing: any HTTP answer means the alerts can arrive.
 */
async function alertsCheck(s: Settings, envVars: NodeJS.ProcessEnv, add: (c: DoctorCheck) => void, opts: { probe: boolean }): Promise<void> {
  const name = s.alerts.webhook_url_env;
  const raw = optionalSecret(name, envVars);
  if (!raw) {
    add({ name: 'alerts', status: 'pass', message: `no webhook (${name} is not set): alerts reach the exit code and the logs only` });
    return;
  }
  let url: URL;
  try {
    url = new URL(raw);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${url.protocol} is not http(s)`);
  } catch (err) {
    add({ name: 'alerts', status: 'fail', message: `${name} is not an http(s) URL (${messageOf(err)}): no alert would arrive`, fix: `export ${name}=<the incoming-webhook URL> (alerts.webhook_url_env), or unset it` });
    return;
  }
  if (!opts.probe) {
    add({ name: 'alerts', status: 'pass', message: `webhook ${url.host} (${name}); not probed (--offline)` });
    return;
  }
  try {
    const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(5_000) });
    await res.arrayBuffer().catch(() => undefined);
    add({ name: 'alerts', status: 'pass', message: `webhook ${url.host} answers (HTTP ${res.status} to a HEAD, nothing posted)` });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    add({ name: 'alerts', status: 'fail', message: `webhook ${url.host} (${name}) cannot be reached: ${messageOf(err)}${cause ? ` (${cause.code ?? cause.message})` : ''}; every alert would be lost`, fix: `check ${name} and that this host may reach ${url.host}` });
  }
}

async function mondayChecks(cfg: ResolvedConfig, s: Settings, envVars: NodeJS.ProcessEnv, add: (c: DoctorCheck) => void): Promise<void> {
  const m = s.monday;
  const token = optionalSecret(m.token_env, envVars);
  if (!token) {
    add({ name: 'token', status: 'fail', message: `${m.token_env} is not set`, fix: `export ${m.token_env}=<monday API token> (monday.token_env)` });
    return;
  }
  let apiUrl: string;
  try {
    apiUrl = mondayApiUrl(cfg, envVars);
  } catch (err) {
    add({ name: 'api_url', status: 'fail', message: messageOf(err), fix: `export ${m.api_url_env}=<GraphQL endpoint, e.g. https://api.monday.com/v2> (monday.api_url_env)` });
    return;
  }
  const supported = (SUPPORTED_API_VERSIONS as readonly string[]).includes(m.api_version);
  const c = clientSettings(m);
  const client = new MondayClient({ apiUrl, apiVersion: m.api_version, token, timeoutMs: c.timeoutMs, maxRetries: 1, batchSize: c.batchSize, complexityBudgetPerMinute: c.complexityPerMinute });
  let version: { value: string; kind: string };
  try {
    const me = await client.me();
    version = me.version;
    add({ name: 'token', status: 'pass', message: `accepted: ${me.user.name} <${me.user.email}>` });
  } catch (err) {
    add({ name: 'token', status: 'fail', message: `${apiUrl} refused the token in ${m.token_env}: ${messageOf(err)}`, fix: `check ${m.token_env} (a personal token of a user who can see the boards) and ${m.api_url_env ? `$${m.api_url_env}` : 'monday.api_url'}` });
    return;
  }

  if (!supported) {
    add({ name: 'api_version', status: 'fail', message: `monday.api_version ${m.api_version} is not one this build supports (${SUPPORTED_API_VERSIONS.join(', ')})`, fix: `set monday.api_version = "${SUPPORTED_API_VERSIONS[0]}"` });
  } else if (version.value !== m.api_version) {
    add({ name: 'api_version', status: 'fail', message: `asked for ${m.api_version}, monday served ${version.value}: the pinned version is unknown or retired`, fix: 'upgrade ordersync to a build that supports a current version' });
  } else if (version.kind !== 'current' && version.kind !== 'maintenance') {
    add({ name: 'api_version', status: 'warn', message: `${m.api_version} is "${version.kind}" at monday`, fix: 'plan the upgrade to the current version before it is retired' });
  } else {
    add({ name: 'api_version', status: 'pass', message: `${m.api_version} (${version.kind})` });
  }

  const boards: Partial<Record<'items' | 'subitems', BoardSnapshot>> = {};
  for (const [role, id] of [['items', m.items_board_id], ['subitems', m.subitems_board_id]] as const) {
    if (!id) {
      add({ name: `${role}_board`, status: 'fail', message: `monday.${role}_board_id is not set`, fix: `set monday.${role}_board_id in [env.${cfg.envName}.monday]` });
      continue;
    }
    try {
      boards[role] = await fetchBoardSnapshot(client, id);
      add({ name: `${role}_board`, status: 'pass', message: `board ${id} "${boards[role].name}" reachable (${boards[role].columns.length} columns)` });
    } catch (err) {
      add({ name: `${role}_board`, status: 'fail', message: `board ${id} not reachable: ${messageOf(err)}`, fix: `check monday.${role}_board_id and that the token's user is a member of the board` });
    }
  }
  if (boards.items && boards.subitems) {
    mappingCheck(cfg, s, boards as Record<'items' | 'subitems', BoardSnapshot>, add);
    await driftCheck(cfg, s, boards as Record<'items' | 'subitems', BoardSnapshot>, add);
  }
  await budgetCheck(m, apiUrl, token, s.alerts.min_budget_headroom, add);
}

/** Every mapped column id and its type, against the boards as they are now (not the snapshots). */
function mappingCheck(cfg: ResolvedConfig, s: Settings, live: Record<'items' | 'subitems', BoardSnapshot>, add: (c: DoctorCheck) => void): void {
  const findings = boardChecks({ env: cfg.envName, s, items: live.items, subitems: live.subitems });
  const errors = findings.filter((f) => f.level === 'error');
  const details = findings.map((f) => `${f.level}: ${f.key ? `${f.key}: ` : ''}${f.message}`);
  const mapped = Object.keys(s.mapping.columns).length + 2;
  if (errors.length > 0) {
    add({ name: 'mapping', status: 'fail', message: `${errors.length} mapped column(s) do not fit the live boards; a run would refuse to start`, details, fix: `${adviceFor('InvalidColumnIdException').action} (in ${cfg.file})` });
  } else if (findings.length > 0) {
    add({ name: 'mapping', status: 'warn', message: 'the mapping fits the live boards, with warnings', details, fix: `review [mapping] in ${cfg.file}` });
  } else {
    add({ name: 'mapping', status: 'pass', message: `every mapped column (${mapped}) exists on the live boards with a type that fits` });
  }
}

async function driftCheck(cfg: ResolvedConfig, s: Settings, live: Record<'items' | 'subitems', BoardSnapshot>, add: (c: DoctorCheck) => void): Promise<void> {
  const snaps = await readSnapshots(cfg, s, cfg.envName);
  const retake = `review the change, then \`ordersync board snapshot --env ${cfg.envName}\` and \`ordersync config validate --env ${cfg.envName}\``;
  if (snaps.missing.length) {
    add({ name: 'schema_drift', status: 'warn', message: `no board snapshot to compare with (${snaps.missing.join(', ')})`, fix: `ordersync board snapshot --env ${cfg.envName}` });
    return;
  }
  let keyCols: string[] = [];
  try {
    keyCols = keyColumns(boardKey(s));
  } catch {
    keyCols = [];
  }
  const mapped = {
    items: new Set([...Object.values(s.mapping.columns), ...keyCols, ...(s.cancel.status_column_id ? [s.cancel.status_column_id] : [])]),
    subitems: new Set([s.mapping.size_column_id, s.mapping.qty_column_id].filter((id): id is string => id !== undefined)),
  };
  for (const role of ['items', 'subitems'] as const) {
    const snap = snaps[role] as BoardSnapshot;
    const board = live[role];
    if (snap.board_id !== board.board_id) {
      add({ name: `${role}_drift`, status: 'fail', message: `the ${role} snapshot is of board ${snap.board_id} but the environment uses board ${board.board_id} (swapped boards?)`, fix: retake });
      continue;
    }
    const d = boardDrift(snap, board);
    const details = [
      ...d.added.map((x) => `column added: ${x}`),
      ...d.removed.map((x) => `column removed: ${x}`),
      ...d.retyped.map((x) => `column retyped: ${x}`),
      ...d.labelsRemoved.map((x) => `label removed: ${x}`),
    ];
    const breaking = [...driftColumnIds(d.removed), ...driftColumnIds(d.retyped)].filter((id) => mapped[role].has(id));
    if (details.length === 0) add({ name: `${role}_drift`, status: 'pass', message: `board ${board.board_id} matches its snapshot of ${snap.fetched_at}` });
    else if (breaking.length > 0) add({ name: `${role}_drift`, status: 'fail', message: `mapped column(s) ${breaking.join(', ')} removed or retyped on board ${board.board_id}`, details, fix: retake });
    else add({ name: `${role}_drift`, status: 'warn', message: `board ${board.board_id} changed since its snapshot of ${snap.fetched_at}`, details, fix: retake });
  }
}

/**
 * Budget headroom from a cheap probe: the `RateLimit` / `RateLimit-Policy` headers give the
 * minute's complexity quota and what is left; the complexity read-back is the fallback.
 */
async function budgetCheck(m: Settings['monday'], apiUrl: string, token: string, minHeadroom: number, add: (c: DoctorCheck) => void): Promise<void> {
  try {
    const res = await fetch(apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: token, 'api-version': m.api_version },
      body: JSON.stringify({ query: 'query Budget { complexity { before after query reset_in_x_seconds } }' }),
      signal: AbortSignal.timeout(clientSettings(m).timeoutMs),
    });
    const body = (await res.json()) as { data?: { complexity?: { after?: number; reset_in_x_seconds?: number } } };
    const left = parseRateLimitHeader(res.headers.get('ratelimit')).find((e) => e.name === 'complexityMinute')?.params.r;
    const quota = parseRateLimitHeader(res.headers.get('ratelimit-policy')).find((e) => e.name === 'complexityMinute')?.params.q;
    const remaining = typeof left === 'number' ? left : body.data?.complexity?.after;
    const budget = typeof quota === 'number' ? quota : MONDAY_LIMITS.complexityPerMinute;
    if (typeof remaining !== 'number') {
      add({ name: 'budget', status: 'warn', message: 'monday reported no complexity budget', fix: 'check monday.api_url points at the GraphQL endpoint' });
      return;
    }
    const share = remaining / budget;
    const text = `${remaining.toLocaleString('en-US')} of ${budget.toLocaleString('en-US')} complexity points left this minute (${Math.round(share * 100)}%)`;
    add(
      share >= minHeadroom
        ? { name: 'budget', status: 'pass', message: text }
        : { name: 'budget', status: 'warn', message: text, fix: 'another integration shares the token\'s budget: run later, or give ordersync its own token' },
    );
  } catch (err) {
    add({ name: 'budget', status: 'warn', message: `budget probe failed: ${messageOf(err)}` });
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Terminal rendering: one line per check, details and the fix indented under it. */
export function formatDoctor(r: DoctorReport): string {
  const mark = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;
  const lines = [`ordersync doctor — environment "${r.env}"`];
  for (const c of r.checks) {
    lines.push(`${mark[c.status]}  ${c.name}: ${c.message}`);
    for (const d of c.details ?? []) lines.push(`        ${d}`);
    if (c.fix && c.status !== 'pass') lines.push(`        fix: ${c.fix}`);
  }
  const n = (st: CheckStatus) => r.checks.filter((c) => c.status === st).length;
  lines.push(`${n('pass')} passed, ${n('warn')} warning(s), ${n('fail')} failure(s)`);
  return lines.join('\n');
}
