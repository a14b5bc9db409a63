import type PgBoss from 'pg-boss';
import { ConfigError } from '../errors.js';
import { parseCron, schedule, type ScheduledJob } from './cron.js';
import { startBoss, type RunJobData, type ServedEnvironment, type WorkerSetup } from './queue.js';

export interface EnqueueResult {
  env: string;
  board: string;
  /** The job's id, or null when the board already has a job waiting (one per board). */
  jobId: string | null;
}

export async function enqueueRun(boss: PgBoss, env: ServedEnvironment, at: Date = new Date()): Promise<EnqueueResult> {
  const data: RunJobData = { env: env.name, tick: at.toISOString() };
  const jobId = await boss.send(env.queue, data, { singletonKey: env.board });
  return { env: env.name, board: env.board, jobId };
}

export interface SchedulerOptions {
  /** Overrides every environment's [server].schedule. */
  cron?: string;
  /** Enqueue one job per environment now, then return. */
  once?: boolean;
  signal: AbortSignal;
  log?: (entry: Record<string, unknown>) => void;
}

/**
 * `ordersync schedule`: on each environment's cron tick, one job for its items board. The
 * queue refuses a second waiting job of a board, so a board still busy when the next tick
 * comes gets exactly one catch-up run, never a pile.
 */
export async function runScheduler(setup: WorkerSetup, opts: SchedulerOptions): Promise<EnqueueResult[]> {
  const log = opts.log ?? ((e) => process.stderr.write(`${JSON.stringify(e)}\n`));
  const crons = setup.served.map((env) => {
    const text = opts.cron ?? env.cfg.settings.server.schedule;
    if (!text && !opts.once) throw new ConfigError(`${env.cfg.file}: environment "${env.name}" has no [server].schedule; set it or pass --cron`);
    try {
      return { env, cron: text ? parseCron(text, env.cfg.settings.server.timezone) : undefined };
    } catch (err) {
      throw new ConfigError(`${env.cfg.file}: environment "${env.name}": ${(err as Error).message}`);
    }
  });
  const boss = await startBoss(setup, 'scheduler');
  const report = (r: EnqueueResult) =>
    log(r.jobId ? { msg: 'job enqueued', env: r.env, board: r.board, job_id: r.jobId } : { msg: 'tick skipped: the board already has a job waiting', env: r.env, board: r.board });
  try {
    if (opts.once) {
      const results: EnqueueResult[] = [];
      for (const { env } of crons) {
        const r = await enqueueRun(boss, env);
        report(r);
        results.push(r);
      }
      return results;
    }
    const jobs: ScheduledJob[] = crons.map(({ env, cron }) =>
      schedule(cron!, async () => report(await enqueueRun(boss, env)), {
        onError: (err) => log({ msg: 'enqueue failed', env: env.name, error: err instanceof Error ? err.message : String(err) }),
      }),
    );
    log({ msg: 'scheduler started', environments: crons.map(({ env, cron }) => ({ env: env.name, board: env.board, cron: cron!.source, timezone: cron!.timezone ?? 'local' })) });
    await new Promise<void>((resolve) => opts.signal.addEventListener('abort', () => resolve(), { once: true }));
    for (const j of jobs) j.stop();
    return [];
  } finally {
    await boss.stop({ graceful: true, wait: true, timeout: 5_000 });
  }
}
