import pg from 'pg';
import type PgBoss from 'pg-boss';
import { requireSecret } from '../config/index.js';
import { databaseTarget, openDatabase } from '../db/index.js';
import { clientSettings } from '../monday/index.js';
import { alertDatabaseUnavailable, runObserved } from './observed.js';
import { AccountBudget, accountKey, ensureBudgetTables } from './account-budget.js';
import { startBoss, type RunJobData, type ServedEnvironment, type WorkerSetup } from './queue.js';
import { abortableSleep } from './sleep.js';

export interface WorkerOptions {
  concurrency: number;
  /** Aborted on SIGTERM/SIGINT: no new job is taken; running ones finish. */
  signal: AbortSignal;
  log?: (entry: Record<string, unknown>) => void;
}

/**
 * `ordersync worker`: takes jobs from every served board's queue, up to `concurrency` at
 * once, and runs each exactly as `ordersync run` does (run lock, run record, alerts). A job
 * whose run fails is failed in the queue, so pg-boss retries it; a worker that dies leaves
 * its job active until the lease expires, then another worker takes it and the run lock
 * and in-flight reconciliation make the resumed run converge.
 */
export async function runWorker(setup: WorkerSetup, opts: WorkerOptions): Promise<void> {
  const log = opts.log ?? ((e) => process.stderr.write(`${JSON.stringify(e)}\n`));
  const boss = await startBoss(setup, 'worker');
  const pool = new pg.Pool({ connectionString: setup.queueUrl, max: opts.concurrency + 1, application_name: 'ordersync worker budget' });
  const budgets = new Map<string, AccountBudget>();
  const queues = [...new Set(setup.served.map((s) => s.queue))];
  const active = new Set<Promise<void>>();
  const pollMs = setup.worker.poll_seconds * 1000;

  const budgetFor = (env: ServedEnvironment): AccountBudget => {
    const m = env.cfg.settings.monday;
    const account = accountKey(m.api_url, requireSecret(env.cfg, m.token_env, 'monday.token_env'));
    const windowMs = env.cfg.settings.worker.budget_window_seconds * 1000;
    const budget = Math.floor((clientSettings(m).complexityPerMinute * windowMs) / 60_000);
    const key = `${account}:${budget}:${windowMs}`;
    let b = budgets.get(key);
    if (!b) budgets.set(key, (b = new AccountBudget(pool, { account, budget, windowMs })));
    return b;
  };

  const handle = async (queue: string, job: PgBoss.Job<RunJobData>): Promise<void> => {
    const env = setup.served.find((e) => e.name === job.data?.env && e.queue === queue);
    if (!env) {
      await boss.fail(queue, job.id, { error: `environment "${job.data?.env}" on ${queue} is not in this worker's config file` });
      return;
    }
    log({ msg: 'job started', job_id: job.id, env: env.name, board: env.board, tick: job.data.tick });
    let db;
    try {
      db = await openDatabase(databaseTarget(env.cfg)).catch(async (err: unknown) => {
        const { webhook } = await alertDatabaseUnavailable(env.cfg, err);
        if (webhook.error) log({ msg: 'alert webhook failed', job_id: job.id, env: env.name, error: webhook.error });
        throw err;
      });
      const { result, exitCode } = await runObserved(db, env.cfg, { command: 'run', sharedBudget: budgetFor(env) }, { logFormat: 'json' });
      const output = { run_id: result.runId, status: result.status, verdict: result.verdict.summary, exit_code: exitCode };
      log({ msg: 'job done', job_id: job.id, env: env.name, ...output });
      if (result.status === 'FAILED') await boss.fail(queue, job.id, output);
      else await boss.complete(queue, job.id, output);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log({ msg: 'job failed', job_id: job.id, env: env.name, error: message });
      await boss.fail(queue, job.id, { error: message }).catch(() => undefined);
    } finally {
      await db?.close().catch(() => undefined);
    }
  };

  try {
    await ensureBudgetTables(pool);
    log({ msg: 'worker started', pid: process.pid, concurrency: opts.concurrency, environments: setup.served.map((s) => s.name), skipped: setup.skipped });
    let next = 0;
    while (!opts.signal.aborted) {
      let took = false;
      // Round-robin over the boards, so one busy board never starves the others.
      for (let k = 0; k < queues.length && active.size < opts.concurrency && !opts.signal.aborted; k++) {
        const queue = queues[next++ % queues.length]!;
        const [job] = await boss.fetch<RunJobData>(queue, { batchSize: 1 });
        if (!job) continue;
        took = true;
        const p: Promise<void> = handle(queue, job).finally(() => active.delete(p));
        active.add(p);
      }
      if (took && active.size < opts.concurrency) continue;
      await Promise.race([abortableSleep(pollMs, opts.signal).catch(() => undefined), ...active]);
    }
  } finally {
    log({ msg: 'worker stopping', running: active.size });
    await Promise.allSettled(active);
    await boss.stop({ graceful: true, wait: true, timeout: 5_000 });
    await pool.end();
  }
}
