import { missingSubitemColumns } from './board-keys.js';
import { boardKey } from './board-keys.js';
import { ownershipProblems } from './ownership.js';
import type { ResolvedConfig } from './load.js';
import { resolveFromConfig } from './paths.js';
import { dialectSettings } from './dialects.js';
import type { Settings } from './schema.js';

export interface Finding {
  level: 'error' | 'warn';
  env?: string;
  key?: string;
  message: string;
  /** Which check found it, where a caller treats some differently (`labels`: staged values a board lacks). */
  rule?: 'labels';
}

/**
 * Checks that need no network and no board: mistakes that crossed environments in the
 * prior system (shared boards, a swapped database) and mappings that cannot work.
 */
export function structuralChecks(cfg: ResolvedConfig, text: string, envVars: NodeJS.ProcessEnv = process.env): Finding[] {
  const findings: Finding[] = [];
  for (const [env, s] of cfg.all) findings.push(...mappingChecks(env, s));
  findings.push(...sharedResources(cfg, envVars));
  findings.push(...secretLiterals(text));
  return findings;
}

function mappingChecks(env: string, s: Settings): Finding[] {
  const out: Finding[] = [];
  const byTarget = new Map<string, string[]>();
  for (const [source, target] of Object.entries(s.mapping.columns)) {
    byTarget.set(target, [...(byTarget.get(target) ?? []), source]);
  }
  for (const [target, sources] of byTarget) {
    if (sources.length > 1) {
      out.push({
        level: 'error',
        env,
        key: `mapping.columns`,
        message: `monday column ${target} is mapped twice (from ${sources.map((x) => `"${x}"`).join(' and ')}); the later would silently overwrite the earlier`,
      });
    }
  }
  const sizes = new Set(s.staging.size_columns);
  for (const source of Object.keys(s.mapping.columns)) {
    if (sizes.has(source)) {
      out.push({ level: 'error', env, key: 'mapping.columns', message: `"${source}" is a size column; sizes become subitems, not item columns` });
    }
  }
  for (const m of missingSubitemColumns(s)) {
    out.push({ level: 'error', env, key: m.key, message: `not set: name ${m.what} (column ids differ per board; \`ordersync board columns --env ${env}\` lists them)` });
  }
  for (const p of ownershipProblems(s)) out.push({ level: 'error', env, key: p.key, message: p.message });
  try {
    boardKey(s);
  } catch (err) {
    out.push({ level: 'warn', env, key: 'mapping.key_column_id', message: `${err instanceof Error ? err.message : String(err)}: crash recovery and baseline cannot find items by key` });
  }
  if (s.monday.items_board_id && s.monday.items_board_id === s.monday.subitems_board_id) {
    out.push({ level: 'error', env, key: 'monday.subitems_board_id', message: 'the items board and the subitems board are the same board' });
  }
  return out;
}

/**
 * Resources are compared as resolved, not as written: `./ordersync.db` and `ordersync.db`
 * are one file, and two URL variables holding the same server and database are one database.
 */
function sharedResources(cfg: ResolvedConfig, envVars: NodeJS.ProcessEnv): Finding[] {
  const all = cfg.all;
  const out: Finding[] = [];
  const seen = new Map<string, { env: string; written: string }>();
  /** `written` as the file has it; `resolved` names the one resource when two spellings meet. */
  const claim = (resource: string, env: string, kind: string, written: string, resolved = written) => {
    const other = seen.get(resource);
    if (other !== undefined && other.env !== env) {
      const shared = other.written === written ? `${kind} ${written}` : `${kind} ${resolved} (written "${other.written}" and "${written}")`;
      // Cross-environment: no `env`, so it is reported whichever of the two is selected.
      out.push({ level: 'error', message: `environments "${other.env}" and "${env}" share ${shared}; each environment needs its own` });
    } else {
      seen.set(resource, { env, written });
    }
  };
  for (const [env, s] of all) {
    for (const board of [s.monday.items_board_id, s.monday.subitems_board_id]) {
      if (board) claim(`board:${board}`, env, 'board', board);
    }
    const d = s.database;
    const { store, location, serverUrl } = dialectSettings(d.dialect);
    if (location === 'url_env') {
      const varOwner = seen.get(`url:${d.url_env}`)?.env;
      claim(`url:${d.url_env}`, env, 'the database URL variable', d.url_env);
      const db = serverDatabase(envVars[d.url_env], serverUrl?.defaultPort);
      // Two variables holding one database are one database; one variable is reported once.
      if (db && (varOwner === undefined || varOwner === env)) claim(`db:${db}`, env, store, d.url_env, db);
    } else {
      const written = d[location];
      // An in-memory database (no path) is nobody else's.
      if (written !== undefined) claim(`file:${resolveFromConfig(cfg, written)}`, env, store, written, resolveFromConfig(cfg, written));
    }
  }
  return out;
}

/** host:port/database of a server URL, normalised (case, default port, database defaulting to the user). */
function serverDatabase(url: string | undefined, defaultPort: number | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    const user = decodeURIComponent(u.username) || 'postgres';
    const host = (u.hostname || u.searchParams.get('host') || 'localhost').toLowerCase().replace(/^127\.0\.0\.1$|^\[::1\]$/, 'localhost');
    const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || user;
    return `${host}:${u.port || String(defaultPort ?? '')}/${database}`;
  } catch {
    return undefined;
  }
}

const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, 'a JWT-like token'],
  [/postgres(ql)?:\/\/[^:\s"']+:[^@\s"']+@/, 'a database URL with a password'],
  [/^\s*[A-Za-z_]*(token|password|secret|api_key)\s*=\s*"[^"]{8,}"/im, 'a secret-looking value'],
];

function secretLiterals(text: string): Finding[] {
  const out: Finding[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim().startsWith('#')) return;
    for (const [re, what] of SECRET_PATTERNS) {
      if (re.test(line)) {
        out.push({ level: 'error', key: `line ${i + 1}`, message: `line ${i + 1} holds ${what}; secrets belong in environment variables (token_env, url_env)` });
      }
    }
  });
  return out;
}
