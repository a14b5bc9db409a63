import pg from 'pg';
import PgBoss from 'pg-boss';
import { loadConfig, requireSecret, type ResolvedConfig, type Settings } from '../config/index.js';
import { dialectAdapter } from '../db/index.js';
import { ConfigError } from '../errors.js';
import { JOBS_SCHEMA } from './account-budget.js';

/** What one queued job asks for: the scheduled job (`ordersync run`) of one environment. */
export interface RunJobData {
  env: string;
  /** Which tick enqueued it (ISO time), for the logs. */
  tick: string;
}

/**
 * One queue per items board, policy `stately`: at most one job of a board queued and one
 * running, and a board waiting on its running job never holds up another board's jobs.
 * The singleton key is the board too, so the rule holds whichever environments name it.
 */
export function queueName(itemsBoardId: string): string {
  return `ordersync-board-${itemsBoardId}`;
}

export interface ServedEnvironment {
  name: string;
  cfg: ResolvedConfig;
  board: string;
  queue: string;
}

export interface WorkerSetup {
  queueUrl: string;
  worker: Settings['worker'];
  served: ServedEnvironment[];
  /** Environments left out, with the reason (SQLite, no items board). */
  skipped: { name: string; why: string }[];
}

/**
 * Everything `worker` and `schedule` need from the config file: every environment in it on
 * PostgreSQL with an items board is served; all of them must agree on one queue database.
 * SQLite stays the single-machine default, so a file without PostgreSQL is refused (exit 3).
 */
export function workerSetup(opts: { path?: string; only?: string[]; envVars?: NodeJS.ProcessEnv }): WorkerSetup {
  const envVars = opts.envVars ?? process.env;
  const first = loadConfig({ path: opts.path, envVars, firstEnvIfUnselected: true });
  const names = first.envNames.length > 0 ? first.envNames : [first.envName];
  for (const n of opts.only ?? []) {
    if (!names.includes(n)) throw new ConfigError(`${first.file}: no environment "${n}" (environments: ${names.join(', ')})`);
  }
  const served: ServedEnvironment[] = [];
  const skipped: WorkerSetup['skipped'] = [];
  let queue: { url: string; from: string; env: string } | undefined;
  for (const name of names) {
    if (opts.only && !opts.only.includes(name)) continue;
    const cfg = first.envNames.length > 0 ? loadConfig({ path: first.file, env: name, envVars }) : first;
    const s = cfg.settings;
    const hostsQueue = dialectAdapter(s.database.dialect).hostsJobQueue;
    const urlEnv = s.worker.queue_url_env ?? (hostsQueue ? s.database.url_env : undefined);
    if (!hostsQueue || !urlEnv) {
      skipped.push({ name, why: `its database is ${s.database.dialect}; workers on several machines need PostgreSQL (database.dialect = "postgres")` });
      continue;
    }
    if (!s.monday.items_board_id) {
      skipped.push({ name, why: 'monday.items_board_id is not set' });
      continue;
    }
    const url = requireSecret(cfg, urlEnv, s.worker.queue_url_env ? 'worker.queue_url_env' : 'database.url_env', envVars);
    if (queue && queue.url !== url) {
      throw new ConfigError(`${first.file}: environments "${queue.env}" and "${name}" resolve to different queue databases (${queue.from} vs ${urlEnv}); set [worker].queue_url_env in the base of the file so every environment shares one queue`);
    }
    queue ??= { url, from: urlEnv, env: name };
    served.push({ name, cfg, board: s.monday.items_board_id, queue: queueName(s.monday.items_board_id) });
  }
  if (!queue || served.length === 0) {
    const why = skipped.map((x) => `"${x.name}": ${x.why}`).join('; ');
    throw new ConfigError(`${first.file}: ordersync worker and schedule need PostgreSQL, which coordinates the machines (pg-boss queue, run locks, shared budgets); no environment qualifies${why ? ` (${why})` : ''}. On one machine with SQLite, schedule \`ordersync run\` with cron or \`ordersync serve --schedule\` instead.`);
  }
  return { queueUrl: queue.url, worker: served[0]!.cfg.settings.worker, served, skipped };
}

export async function startBoss(setup: WorkerSetup, role: 'worker' | 'scheduler'): Promise<PgBoss> {
  const w = setup.worker;
  const boss = new PgBoss({
    connectionString: setup.queueUrl,
    schema: JOBS_SCHEMA,
    application_name: `ordersync ${role}`,
    // Workers expire the jobs of workers that died; the scheduler only enqueues.
    supervise: role === 'worker',
    maintenanceIntervalSeconds: Math.max(1, Math.min(60, Math.floor(w.lease_seconds / 4))),
    schedule: false,
    max: 4,
  });
  boss.on('error', (err: Error) => process.stderr.write(`${JSON.stringify({ msg: 'queue error', error: err.message })}\n`));
  // Workers starting together on a fresh database would race (and deadlock) creating pg-boss's
  // schema and the queues: one process at a time sets up, under a session advisory lock.
  const setupLock = new pg.Client({ connectionString: setup.queueUrl, application_name: `ordersync ${role} setup` });
  await setupLock.connect();
  try {
    await setupLock.query(`select pg_advisory_lock(hashtext('${JOBS_SCHEMA}:setup'))`);
    await boss.start();
    for (const queue of new Set(setup.served.map((s) => s.queue))) {
      const options = { name: queue, policy: 'stately' as const, retryLimit: w.retry_limit, retryDelay: w.retry_delay_seconds, expireInSeconds: w.lease_seconds };
      if (await boss.getQueue(queue)) await boss.updateQueue(queue, options);
      else await boss.createQueue(queue, options);
    }
  } catch (err) {
    await boss.stop({ graceful: false, wait: true, timeout: 1_000 }).catch(() => undefined);
    throw err;
  } finally {
    await setupLock.end().catch(() => undefined);
  }
  return boss;
}
