import { readFileSync } from 'node:fs';
import { structuralChecks, optionalSecret, type Finding, type ResolvedConfig, type Settings } from '../config/index.js';
import { databaseTarget, notCreatedYet, openDatabase } from '../db/index.js';
import { checkRequiredColumns, resolveSizeColumns } from '../merge/staging-columns.js';
import { distinctValues, stagingColumnTypes } from '../merge/staging-profile.js';
import { applyColumnRule } from '../merge/transforms.js';
import {
  fetchBoardSnapshot,
  clientFromConfig,
  kindFromSqlType,
  boardChecks,
  readSnapshots,
  type BoardSnapshot,
  type BoardCheckInput,
  type SourceKind,
} from '../monday/index.js';

export interface ValidateOptions {
  /** Every environment, not only the selected one. */
  all?: boolean;
  /** Check against the live boards instead of the snapshots. */
  online?: boolean;
  envVars?: NodeJS.ProcessEnv;
}

/** `config validate`: structural checks, then board-aware checks per environment (SPEC §3). */
export async function validateConfig(cfg: ResolvedConfig, opts: ValidateOptions = {}): Promise<Finding[]> {
  const text = readFileSync(cfg.file, 'utf8');
  const envs = opts.all ? [...cfg.all.keys()] : [cfg.envName];
  const findings = structuralChecks(cfg, text, opts.envVars).filter((f) => opts.all || f.env === undefined || f.env === cfg.envName);
  for (const env of envs) {
    const s = cfg.all.get(env);
    if (s) findings.push(...(await boardFindings(cfg, env, s, opts)));
  }
  return findings;
}

async function boardFindings(cfg: ResolvedConfig, env: string, s: Settings, opts: ValidateOptions): Promise<Finding[]> {
  let items: BoardSnapshot | undefined;
  let subitems: BoardSnapshot | undefined;
  if (opts.online) {
    const envCfg = { ...cfg, envName: env, settings: s };
    const { client } = clientFromConfig(envCfg, {}, opts.envVars);
    if (!s.monday.items_board_id || !s.monday.subitems_board_id) {
      return [{ level: 'error', env, key: 'monday.items_board_id', message: 'board ids are not set for this environment' }];
    }
    items = await fetchBoardSnapshot(client, s.monday.items_board_id);
    subitems = await fetchBoardSnapshot(client, s.monday.subitems_board_id);
  } else {
    const snaps = await readSnapshots(cfg, s, env);
    if (snaps.missing.length) {
      return [{ level: 'warn', env, message: `no board snapshot (${snaps.missing.join(', ')}): board-aware checks skipped; take one with \`ordersync board snapshot --env ${env}\`` }];
    }
    items = snaps.items;
    subitems = snaps.subitems;
  }
  if (!items || !subitems) return [];
  const profile = await stagingProfile(cfg, env, s, opts.envVars);
  const input = { env, s, sourceKinds: profile.kinds, stagedValues: profile.values };
  const found = boardChecks({ ...input, items, subitems });
  return [...profile.findings, ...(opts.online ? found : await staleSnapshotLabels(cfg, env, s, found, input, opts.envVars))];
}

/**
 * Staged values missing from a snapshot's labels may be labels the board gained after the
 * snapshot was taken: when the live board can be read, those are a stale snapshot (re-take
 * it), not a mismatch; values the live board lacks too stay errors.
 */
async function staleSnapshotLabels(cfg: ResolvedConfig, env: string, s: Settings, found: Finding[], input: Omit<BoardCheckInput, 'items' | 'subitems'>, envVars?: NodeJS.ProcessEnv): Promise<Finding[]> {
  const labelErrors = found.filter((f) => f.rule === 'labels');
  if (labelErrors.length === 0 || !optionalSecret(s.monday.token_env, envVars) || !s.monday.items_board_id || !s.monday.subitems_board_id) return found;
  let live: Finding[];
  try {
    const { client } = clientFromConfig({ ...cfg, envName: env, settings: s }, {}, envVars);
    live = boardChecks({ ...input, items: await fetchBoardSnapshot(client, s.monday.items_board_id), subitems: await fetchBoardSnapshot(client, s.monday.subitems_board_id) });
  } catch {
    return found;
  }
  return found.map((f) =>
    f.rule === 'labels' && !live.some((l) => l.rule === 'labels' && l.key === f.key)
      ? { level: 'warn', env, key: f.key, message: `the board snapshot is stale: the live board has the labels it lacks (${f.message.replace(/; allow it .*$/, '')}); re-take it with \`ordersync board snapshot --env ${env}\`` }
      : f,
  );
}

/** Column types and staged label values, when the environment's database can be reached. */
async function stagingProfile(cfg: ResolvedConfig, env: string, s: Settings, envVars?: NodeJS.ProcessEnv) {
  const kinds = new Map<string, SourceKind>();
  const values = new Map<string, string[]>();
  const findings: Finding[] = [];
  let db;
  try {
    const target = databaseTarget({ ...cfg, envName: env, settings: s }, envVars);
    // Validation must not create an empty SQLite file as a side effect.
    if (notCreatedYet(target)) throw new Error(`${target.path} does not exist yet`);
    db = await openDatabase(target);
    const types = await stagingColumnTypes(db.raw, db.dialect, s.staging.table);
    for (const [name, type] of types) {
      const k = kindFromSqlType(type);
      if (k) kinds.set(name, k);
    }
    if (types.size === 0) {
      findings.push({ level: 'warn', env, key: 'staging.table', message: `staging table "${s.staging.table}" not found in the database; load it with \`ordersync ingest\`` });
    } else {
      const columns = [...types.keys()];
      for (const check of [() => resolveSizeColumns(s.staging, columns), () => checkRequiredColumns(s, columns)]) {
        try {
          check();
        } catch (err) {
          findings.push({ level: 'error', env, key: 'staging.table', message: err instanceof Error ? err.message : String(err) });
        }
      }
      for (const source of Object.keys(s.mapping.columns)) {
        // Compared as they will be written: after the column's transforms and value map.
        const rule = s.mapping.transforms[source];
        const staged = types.has(source) ? await distinctValues(db.raw, s.staging.table, source) : source === '@state' ? ['active', 'cancelled'] : [];
        const written = staged.map((v) => applyColumnRule(rule, v)).filter((v): v is string | number | boolean => v !== null);
        if (written.length) values.set(source, [...new Set(written.map(String))]);
      }
    }
  } catch (err) {
    findings.push({ level: 'warn', env, message: `staging table not inspected (${err instanceof Error ? err.message : String(err)}); source types judged by column name` });
  } finally {
    await db?.close();
  }
  return { kinds, values, findings };
}
