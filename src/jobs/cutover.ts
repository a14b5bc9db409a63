import { storedFormatter, type SyncScope } from '../sync/index.js';
import type { Finding, ResolvedConfig } from '../config/index.js';
import { databaseTarget, openDatabase, migrateUp, notMigratedError, pendingMigrations, type Db, type RunCommand } from '../db/index.js';
import { ConfigError, exitCodeOfError } from '../errors.js';
import { merge } from '../merge/index.js';
import { fetchBoardSnapshot, clientFromConfig } from '../monday/index.js';
import { adoptExisting, type BaselineResult } from './baseline.js';
import { runDoctor, type DoctorReport } from '../checks/doctor.js';
import { runObserved, type ObservedRun } from './observed.js';
import type { LogFormat } from '../observe/progress.js';
import { withRunRecord } from '../queue/index.js';
import { alertRefusal, exitCodeFor, type AlertNotice, type JobExitCode, type NotifyResult } from '../observe/index.js';
import { stopScope, type StopScope } from './stop.js';
import { validateConfig } from '../checks/validate.js';

export const CUTOVER_STEPS = ['preflight', 'baseline', 'canary', 'full'] as const;
export type CutoverStepName = (typeof CUTOVER_STEPS)[number];

export interface CutoverOptions {
  /** Canary scope: `limit` orders or one `customer`; no canary step without it. */
  scope?: SyncScope;
  /** Stop after the baseline (adopt what is on the board, write nothing to monday). */
  baselineOnly?: boolean;
  /** Stop after the canary, to inspect the board; running cutover again goes on with the full run. */
  canaryOnly?: boolean;
  allowMassChange?: boolean;
  /** Apply pending migrations first (needs the schema owner's role); without it they stop the cutover. */
  migrate?: boolean;
  envVars?: NodeJS.ProcessEnv;
  /** The environment's database, opened (and probed) by the caller, who closes it; otherwise opened here. */
  db?: Db;
  log?: (line: string) => void;
  /** Progress of the canary and full runs on stderr, as `run --log-format` (default auto). */
  logFormat?: LogFormat;
}

export interface CutoverStep {
  step: CutoverStepName;
  status: 'done' | 'skipped' | 'failed' | 'degraded';
  runId?: number;
  detail: string;
  /** The canary's and the full run's [alerts] evaluation and webhook, as `run` reports them; a refused preflight's alert. */
  alerts?: ObservedRun['alerts'] | (AlertNotice & { webhook: NotifyResult });
}

export interface CutoverResult {
  /** The first preflight run: every step's `parent_run_id`. */
  rootRunId: number;
  steps: CutoverStep[];
  preflight?: { findings: Finding[]; doctor: DoctorReport };
  baseline?: BaselineResult;
  complete: boolean;
  /** The last step's (exitCodeFor): 0 complete (or stopped where asked), 1 a step failed, 2 a step degraded. */
  exitCode: JobExitCode;
}

const stepCommand = (s: CutoverStepName): RunCommand => `cutover:${s}`;

/**
 * `ordersync cutover`: preflight (migrations current, validate online, doctor) → baseline (merge,
 * adopt what is already on the board) → canary → full. Each step is a run record linked to
 * the first preflight by parent_run_id; running it again resumes after the last completed step.
 */
export async function runCutover(cfg: ResolvedConfig, opts: CutoverOptions = {}): Promise<CutoverResult> {
  const envVars = opts.envVars ?? process.env;
  const log = opts.log ?? (() => undefined);
  const scope = opts.scope ?? {};
  if (scope.limit !== undefined && scope.customer !== undefined) throw new ConfigError('a canary takes --limit or --customer, not both');
  const db = opts.db ?? (await openDatabase(databaseTarget(cfg, envVars)));
  // A signal between steps stops the cutover there; the canary and full runs stop between batches.
  const stop = stopScope();
  try {
    // Checking reads only, so the least-privilege app role can cut over; applying takes the owner.
    if (opts.migrate) for (const line of await migrateUp(db)) log(`migrations: ${line}`);
    else {
      try {
        const pending = await pendingMigrations(db);
        if (pending.length > 0) throw notMigratedError(cfg.envName, pending, ' as the schema owner, or give cutover --migrate');
      } catch (err) {
        await pageRefusal(cfg, null, err, envVars, log);
        throw err;
      }
    }
    const root = await openCutover(db, cfg.envName);
    const done = root ? await completedSteps(db, root) : new Map<CutoverStepName, number>();
    const steps: CutoverStep[] = [];
    if (root !== undefined && done.has('full')) {
      log(`cutover of "${cfg.envName}" already complete (full run ${done.get('full')})`);
      return { rootRunId: root, steps: CUTOVER_STEPS.map((step) => ({ step, status: 'skipped', runId: done.get(step), detail: 'completed earlier' })), complete: true, exitCode: exitCodeFor('OK') };
    }

    // Preflight runs every time: the board or the config may have changed since. Its record
    // comes first: from then on `run` refuses the environment until a baseline has finished.
    const preflight = await runPreflight(db, cfg, root, { scope, baselineOnly: Boolean(opts.baselineOnly) }, envVars, log);
    const { findings, doctor, summary } = preflight;
    const rootRunId = root ?? preflight.runId;
    if (preflight.status !== 'OK') {
      const exitCode = exitCodeFor(preflight.status);
      const alerts = await alertRefusal(cfg, { kind: 'preflight_refused', runId: preflight.runId, exitCode, causes: preflight.causes }, envVars);
      steps.push({ step: 'preflight', status: 'failed', runId: preflight.runId, detail: summary, alerts });
      log(summary);
      if (alerts.webhook.error) log(`alert webhook failed: ${alerts.webhook.error}`);
      return { rootRunId, steps, preflight: { findings, doctor }, complete: false, exitCode };
    }
    steps.push({ step: 'preflight', status: 'done', runId: preflight.runId, detail: summary });
    log(summary);

    let baseline: BaselineResult | undefined;
    stop.check();
    if (done.has('baseline')) {
      steps.push({ step: 'baseline', status: 'skipped', runId: done.get('baseline'), detail: 'completed earlier' });
    } else {
      const b = await runBaseline(db, cfg, rootRunId, envVars, stop);
      baseline = b.result;
      const detail = `baseline: ${b.result.adoptedItems} item(s) adopted (${b.result.identicalItems} identical), ${b.result.adoptedSubitems} subitem(s), ${b.result.notOnBoard} order(s) not on the board yet, ${b.result.differences.length} difference(s) for the next run`;
      steps.push({ step: 'baseline', status: 'done', runId: b.runId, detail });
      log(detail);
    }
    if (opts.baselineOnly) return { rootRunId, steps, preflight: { findings, doctor }, baseline, complete: false, exitCode: exitCodeFor('OK') };

    const canary = scope.limit !== undefined || scope.customer !== undefined;
    if (!canary) steps.push({ step: 'canary', status: 'skipped', detail: 'no --limit or --customer given' });
    else if (done.has('canary')) steps.push({ step: 'canary', status: 'skipped', runId: done.get('canary'), detail: 'completed earlier' });
    else {
      const observed = await runObserved(db, cfg, { command: 'sync', scope, recordAs: stepCommand('canary'), parentRunId: rootRunId, allowMassChange: opts.allowMassChange, envVars }, { logFormat: opts.logFormat });
      const step = jobStep('canary', observed);
      steps.push(step);
      log(step.detail);
      // A canary exists to stop the cutover when anything is off.
      if (observed.result.status !== 'OK') return { rootRunId, steps, preflight: { findings, doctor }, baseline, complete: false, exitCode: observed.alerts.exitCode };
      if (opts.canaryOnly) return { rootRunId, steps, preflight: { findings, doctor }, baseline, complete: false, exitCode: observed.alerts.exitCode };
    }
    if (opts.canaryOnly) return { rootRunId, steps, preflight: { findings, doctor }, baseline, complete: false, exitCode: exitCodeFor('OK') };

    const observed = await runObserved(db, cfg, { command: 'run', recordAs: stepCommand('full'), parentRunId: rootRunId, allowMassChange: opts.allowMassChange, envVars }, { logFormat: opts.logFormat });
    const step = jobStep('full', observed);
    steps.push(step);
    log(step.detail);
    return { rootRunId, steps, preflight: { findings, doctor }, baseline, complete: observed.result.status !== 'FAILED', exitCode: observed.alerts.exitCode };
  } finally {
    stop.release();
    if (!opts.db) await db.close();
  }
}

function jobStep(step: CutoverStepName, { result: r, alerts }: ObservedRun): CutoverStep {
  return { step, status: r.status === 'OK' ? 'done' : r.status === 'DEGRADED' ? 'degraded' : 'failed', runId: r.runId, detail: `${step} (run ${r.runId}): ${r.verdict.summary}`, alerts };
}

/** The cutover in progress for this environment: its first preflight run, if not complete. */
async function openCutover(db: Db, env: string): Promise<number | undefined> {
  const row = await db.kysely
    .selectFrom('sync_runs')
    .select('id')
    .where('env', '=', env)
    .where('command', '=', stepCommand('preflight'))
    .where('parent_run_id', 'is', null)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row?.id;
}

/** Steps that completed under a cutover: baseline and canary need OK; full also counts DEGRADED. */
async function completedSteps(db: Db, root: number): Promise<Map<CutoverStepName, number>> {
  const rows = await db.kysely
    .selectFrom('sync_runs')
    .select(['id', 'command', 'status'])
    .where('parent_run_id', '=', root)
    .where('status', 'in', ['OK', 'DEGRADED'])
    .orderBy('id')
    .execute();
  const out = new Map<CutoverStepName, number>();
  for (const r of rows) {
    const step = r.command.replace(/^cutover:/, '') as CutoverStepName;
    if (step === 'preflight') continue;
    if (r.status === 'OK' || step === 'full') out.set(step, r.id);
  }
  return out;
}

/** A preflight that threw (a setting it cannot use, the database): paged before the error ends the cutover with its own code. */
async function pageRefusal(cfg: ResolvedConfig, runId: number | null, err: unknown, envVars: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  const exitCode = exitCodeOfError(err);
  const { webhook } = await alertRefusal(cfg, { kind: 'preflight_refused', runId, exitCode, causes: [{ reason: err instanceof Error ? err.message : String(err) }] }, envVars);
  if (webhook.error) log(`alert webhook failed: ${webhook.error}`);
}

/** Validate online and doctor, as a run record: a killed preflight's record is closed by the next one. */
async function runPreflight(db: Db, cfg: ResolvedConfig, root: number | undefined, options: Record<string, unknown>, envVars: NodeJS.ProcessEnv, log: (line: string) => void) {
  const record = {
    env: cfg.envName,
    command: stepCommand('preflight'),
    options,
    parentRunId: root,
    abandoned: { command: stepCommand('preflight'), ended: 'before its preflight finished', then: (id: number) => `the cutover was run again (preflight run ${id})` },
  };
  return withRunRecord(db, record, async ({ id: runId }) => {
    let findings: Finding[];
    let doctor: DoctorReport;
    try {
      findings = await validateConfig(cfg, { online: true, envVars });
      doctor = await runDoctor(cfg, { envVars });
    } catch (err) {
      await pageRefusal(cfg, runId, err, envVars, log);
      throw err;
    }
    const errors = findings.filter((f) => f.level === 'error');
    const failedChecks = doctor.checks.filter((c) => c.status === 'fail');
    const ok = errors.length === 0 && failedChecks.length === 0;
    const summary = ok
      ? `preflight passed (${findings.length} validate warning(s), ${doctor.checks.filter((c) => c.status === 'warn').length} doctor warning(s))`
      : `preflight failed: ${[...errors.map((f) => f.message), ...failedChecks.map((c) => `${c.name}: ${c.message}`)].join('; ')}`;
    const status = ok ? ('OK' as const) : ('FAILED' as const);
    const causes = [...errors.map((f) => ({ reason: `validate: ${f.key ? `${f.key}: ` : ''}${f.message}` })), ...failedChecks.map((c) => ({ reason: `${c.name}: ${c.message}`, fix: c.fix }))];
    return { status, totals: { counts: { validate_errors: errors.length, doctor_failures: failedChecks.length } }, verdict: summary, error: ok ? undefined : summary, value: { runId, status, findings, doctor, summary, causes } };
  });
}

async function runBaseline(db: Db, cfg: ResolvedConfig, parent: number, envVars: NodeJS.ProcessEnv, stop: StopScope): Promise<{ runId: number; result: BaselineResult }> {
  const s = cfg.settings;
  const record = {
    env: cfg.envName,
    command: stepCommand('baseline'),
    parentRunId: parent,
    // What they adopted is committed chunk by chunk, so this baseline goes on from there.
    abandoned: { command: stepCommand('baseline'), ended: 'before the baseline finished', then: (id: number) => `resumed by cutover:baseline run ${id}, which adopts the orders it had not reached` },
  };
  return withRunRecord(db, record, async ({ id: runId, lock }) => {
    // One long transaction: the lease is renewed from inside it (as in runJob).
    // A stop signal rolls the merge back, as in runJob.
    const heartbeat = async (trx: Parameters<typeof lock.renew>[0]) => {
      await stop.checkpoint();
      await lock.renew(trx);
    };
    const summary = await merge(db, s, { runId, format: await storedFormatter(db, s), heartbeat });
    const { client } = clientFromConfig(cfg, {}, envVars);
    if (!s.monday.items_board_id || !s.monday.subitems_board_id) throw new ConfigError(`monday.items_board_id and subitems_board_id must be set for environment "${cfg.envName}"`);
    const items = await fetchBoardSnapshot(client, s.monday.items_board_id);
    const subitems = await fetchBoardSnapshot(client, s.monday.subitems_board_id);
    const result = await adoptExisting(db, s, client, runId, { items, subitems });
    const st = client.stats;
    return {
      status: 'OK',
      totals: { counts: { merge: summary.counts, baseline: { ...result, differences: result.differences.length } }, requests: st.requests, complexityUsed: st.complexityUsed },
      verdict: `adopted ${result.adoptedItems} item(s) and ${result.adoptedSubitems} subitem(s); ${result.differences.length} difference(s) left for the next run`,
      value: { runId, result },
    };
  });
}
