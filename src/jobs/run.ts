import { boardKey, subitemColumnIds, requireSecret, assertOwnership, type ResolvedConfig } from '../config/index.js';
import { isCurrent, type Db, type RunCommand } from '../db/index.js';
import { ConfigError } from '../errors.js';
import { merge, rejectionPlace, type MergeSummary } from '../merge/index.js';
import { clientFromConfig, assertMappingFits, MondayError, type MondayClient, type MondayClientOptions, type SharedBudget } from '../monday/index.js';
import {
  storedFormatter,
  valueFormatter,
  liveBoards,
  mondayBoard,
  syncBoard,
  storeBoardValues,
  type LiveBoards,
  type Phase,
  type SyncResult,
  type SyncScope,
} from '../sync/index.js';
import { ApiLog } from './api-log.js';
import { backlog, verdictOf, type JobResult } from '../observe/index.js';
import { withRunRecord, refuseUnfinished, retryErrors, type RunLockOptions, type RunEnd, type RunRecord } from '../queue/index.js';
import { stopScope, type StopScope } from './stop.js';
import { runProof, postRunCheck, type BoardCheck, type CheckRecord } from '../checks/index.js';

export type { JobResult } from '../observe/index.js';

export type JobCommand = Extract<RunCommand, 'run' | 'sync' | 'merge' | 'retry'>;

export interface JobOptions {
  command: JobCommand;
  scope?: SyncScope;
  allowMassChange?: boolean;
  /** Per phase: its total first, then work done; `complexityUsed` is the run's spend so far. */
  progress?: (phase: Phase | 'merge', done: number, total: number, complexityUsed?: number) => void;
  /** The client is about to pause (pacing, a retry's backoff). */
  onWait?: MondayClientOptions['onWait'];
  parentRunId?: number;
  /** What the run record's `command` shows when it differs from the work done (e.g. `cutover:canary`). */
  recordAs?: RunCommand;
  envVars?: NodeJS.ProcessEnv;
  /** Lease and heartbeat timing of the run lock (tests shorten them). */
  lock?: RunLockOptions;
  /** Pacing shared with other workers on the same monday account (`ordersync worker`). */
  sharedBudget?: SharedBudget;
}


/**
 * The scheduled job: under the environment's run lock, merge staging and/or sync the
 * board, and leave a run record whatever happens.
 */
export async function runJob(db: Db, cfg: ResolvedConfig, opts: JobOptions): Promise<JobResult> {
  if (!(await isCurrent(db))) {
    throw new ConfigError(`the database schema is not current; run \`ordersync migrate up --env ${cfg.envName}\``);
  }
  if (opts.command !== 'merge') {
    // A sync without these columns would fail only after merging; say so before anything changes.
    boardKey(cfg.settings);
    subitemColumnIds(cfg.settings, cfg.envName);
    assertOwnership(cfg.settings);
  }
  const stop = stopScope();
  try {
    stop.check();
    const record = {
      env: cfg.envName,
      command: opts.recordAs ?? opts.command,
      options: { scope: opts.scope ?? null, allowMassChange: Boolean(opts.allowMassChange) },
      parentRunId: opts.parentRunId,
      lock: opts.lock,
      // Before anything is marked ABORTED: a killed rollback or baseline is resumed by its own command.
      refuse: () => refuseUnfinished(db, cfg.envName, { cutoverStep: opts.recordAs?.startsWith('cutover:') }),
      // Their rows are reconciled by this run.
      abandoned: { ended: 'without finishing the run', then: () => 'the next run reconciled what it left in flight' },
    };
    return await withRunRecord(db, record, (run) => recordedJob(db, cfg, opts, run, stop));
  } finally {
    stop.release();
  }
}

async function recordedJob(db: Db, cfg: ResolvedConfig, opts: JobOptions, run: RunRecord, stop: StopScope): Promise<RunEnd<JobResult>> {
  const { id: runId, lock } = run;
  const started = Date.now();
  let mergeSummary: MergeSummary | undefined;
  let syncResult: SyncResult | undefined;
  let apiLog: ApiLog | undefined;
  let proof: BoardCheck | undefined;
  let proofRecord: CheckRecord | undefined;
  let proofError: string | undefined;
  run.onThrow(async () => {
    await apiLog?.flush().catch(() => undefined);
    return totals(mergeSummary, syncResult, proof, proofRecord);
  });
  let sync: { log: ApiLog; client: MondayClient; boards: LiveBoards } | undefined;
  if (opts.command !== 'merge') {
    // Before anything is written: the mapping must fit the boards as they are now, and row
    // hashes are over the values as the board will take them, so its columns are read first.
    const token = requireSecret(cfg, cfg.settings.monday.token_env, 'monday.token_env', opts.envVars);
    const log = (apiLog = new ApiLog(db, runId, token));
    const { client } = clientFromConfig(cfg, { onExchange: log.record, sharedBudget: opts.sharedBudget, onWait: opts.onWait }, opts.envVars);
    const boards = await liveBoards(db, cfg.settings, mondayBoard(client), cfg.envName);
    assertMappingFits(cfg.envName, cfg.settings, boards.items, boards.subitems);
    sync = { log, client, boards };
  }
  if (opts.command === 'run' || opts.command === 'merge') {
    const format = sync ? valueFormatter(cfg.settings, sync.boards.items) : await storedFormatter(db, cfg.settings);
    opts.progress?.('merge', 0, 1);
    // The merge is one long transaction: the lease is renewed from inside it, and a stop signal
    // rolls it back (the next run merges again).
    const heartbeat = async (trx: Parameters<typeof lock.renew>[0]) => {
      await stop.checkpoint();
      await lock.renew(trx);
    };
    mergeSummary = await merge(db, cfg.settings, { runId, format, heartbeat });
    opts.progress?.('merge', 1, 1);
  }
  if (opts.command === 'retry') await retryErrors(db.kysely, new Date().toISOString());
  if (sync) {
    stop.check();
    const { log, client, boards } = sync;
    const outcome = await syncBoard(db, cfg.settings, mondayBoard(client), {
      runId,
      env: cfg.envName,
      scope: opts.scope,
      allowMassChange: opts.allowMassChange,
      boards,
      touching: (keys) => log.touching(keys),
      // Between batches (each written back): a run that lost its lock, or was asked to
      // stop by a signal, stops before its next request.
      progress: (phase, done, total) => {
        lock.assertHeld();
        stop.check();
        opts.progress?.(phase, done, total, client.stats.complexityUsed);
      },
    });
    syncResult = outcome.result;
    // The proof: what this run says it wrote is read back from the board and compared.
    const mode = cfg.settings.verify.after_run;
    if (mode !== 'off' && !syncResult.stopped) {
      stop.check();
      // monday refusing the read-back (retries spent) leaves the sync's work done and the board
      // unchecked: said in the verdict (DEGRADED) and alerted, not a failed run.
      const post = await postRunCheck(db, cfg.settings, client, outcome.itemsBoard, boards.subitems.board_id, { env: cfg.envName, runId }).catch((err: unknown) => {
        if (!(err instanceof MondayError)) throw err;
        proofError = `${err.code}: ${err.message}`;
        return undefined;
      });
      if (post) {
        proof = post.check;
        proofRecord = post.record;
        await storeBoardValues(db, proof.readBack, new Date().toISOString());
      }
    }
    await log.flush();
  }
  const proofSummary = proof ? { items: proof.checked.orders, findings: proof.findings.length } : proofError ? { unchecked: proofError } : undefined;
  const verdict = verdictOf(cfg.settings.alerts, mergeSummary, syncResult, proofSummary);
  return {
    status: verdict.status,
    totals: { ...totals(mergeSummary, syncResult, proof, proofRecord), backlog: await backlogAtEnd(db) },
    verdict: verdict.summary,
    error: syncResult?.stopped?.message,
    value: { runId, status: verdict.status, verdict, merge: mergeSummary, sync: syncResult, proof: proof && runProof(proof, proofRecord), ...(proofError ? { proofError } : {}), durationMs: Date.now() - started },
  };
}

/** What was left queued when the run ended: the dashboard charts the backlog over the runs. */
async function backlogAtEnd(db: Db) {
  const b = await backlog(db);
  return { orders: b.pendingOrders, lines: b.pendingLines, oldest_pending_minutes: b.oldestPendingMinutes };
}

/** Rejected rows kept with the run, where status, report and the dashboard read them: where each is, and why. */
export const RECORDED_REJECTIONS = 100;

export interface RecordedRejection {
  at: string;
  key: string | null;
  reason: string;
}

function recordedRejections(m: MergeSummary | undefined): RecordedRejection[] {
  return (m?.rejections ?? []).slice(0, RECORDED_REJECTIONS).map((r) => ({ at: rejectionPlace(r), key: r.key, reason: r.reason }));
}

function totals(m: MergeSummary | undefined, s: SyncResult | undefined, p: BoardCheck | undefined, record?: CheckRecord) {
  return {
    counts: { merge: m?.counts ?? null, sync: s?.counts ?? null, rejected_rows: m?.rejections.length ?? 0, rejected: recordedRejections(m), warnings: m?.warnings.length ?? 0, ...(p ? { verify: runProof(p, record) } : {}) },
    requests: s?.stats.requests,
    mutations: s?.stats.mutations,
    complexityUsed: s?.stats.complexityUsed,
    rateLimitWaits: s?.stats.rateLimitWaits,
    retries: s?.stats.retries,
  };
}
