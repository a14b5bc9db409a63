import { constants } from 'node:os';
import type { Command } from 'commander';
import { assertWritable } from '../../config/index.js';
import { ConfigError } from '../../errors.js';
import { workerSetup, type WorkerSetup } from '../../jobs/queue.js';
import { runScheduler } from '../../jobs/schedule.js';
import { runWorker } from '../../jobs/worker.js';
import { globalOptions, print, printJson } from '../context.js';

function setupFor(cmd: Command): WorkerSetup {
  const g = globalOptions(cmd);
  const setup = workerSetup({ path: g.config, only: g.env ? [g.env] : undefined });
  for (const env of setup.served) assertWritable(env.cfg, { yes: g.yes, isTTY: Boolean(process.stdin.isTTY) });
  return setup;
}

/**
 * Aborted on SIGTERM or SIGINT: the process stops taking work and lets running work finish (a
 * running job stops at its next request, src/jobs/stop.ts). Listening for good keeps the
 * process in charge of its own ending; a second signal exits at once.
 */
function stopSignal(): AbortSignal {
  const ac = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (ac.signal.aborted) process.exit(128 + constants.signals[signal]);
    ac.abort(new Error('stopping on signal'));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return ac.signal;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`--concurrency must be a positive integer, got "${v}"`);
  return n;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'Take scheduled jobs from the PostgreSQL queue (pg-boss) and run each as `ordersync run` does (run lock, run record, alerts); run any number of workers on any number of machines. Serves every environment of the config file on PostgreSQL (or only --env); one board never has two jobs running, and environments sharing a monday token share its complexity budget. Requires PostgreSQL: with SQLite it exits 3. Stops on SIGTERM after its running jobs finish.',
    )
    .option('--concurrency <n>', 'jobs (boards) this worker runs at once', positiveInt, 1)
    .action(async (opts: { concurrency: number }, cmd: Command) => {
      const setup = setupFor(cmd);
      await runWorker(setup, { concurrency: opts.concurrency, signal: stopSignal() });
    });

  program
    .command('schedule')
    .description(
      'Enqueue `ordersync run` for every environment on PostgreSQL (or only --env) on its [server].schedule cron (or --cron), one job per items board: a board whose job is still waiting is not queued twice. `ordersync worker` processes run the jobs. Requires PostgreSQL: with SQLite it exits 3.',
    )
    .option('--cron <expr>', 'cron expression for every environment, instead of [server].schedule (read in each one\'s [server].timezone, else local time)')
    .option('--once', 'enqueue one job per environment now and exit')
    .option('--json', 'with --once: machine-readable output')
    .action(async (opts: { cron?: string; once?: boolean; json?: boolean }, cmd: Command) => {
      const setup = setupFor(cmd);
      const results = await runScheduler(setup, { cron: opts.cron, once: opts.once, signal: stopSignal(), log: opts.json ? () => undefined : undefined });
      if (!opts.once) return;
      if (opts.json) printJson(results);
      else for (const r of results) print(r.jobId ? `${r.env}: queued job ${r.jobId} for board ${r.board}` : `${r.env}: board ${r.board} already has a job waiting; not queued again`);
    });
}
