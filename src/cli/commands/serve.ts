import type { Command } from 'commander';
import { ConfigError, ExitCode, OrdersyncError, StoppedError } from '../../errors.js';
import { parseCron, schedule, stopScope, type StopScope } from '../../jobs/index.js';
import { runObserved } from '../../jobs/observed.js';
import { formatSummaryTable } from '../render/summary.js';
import { confirmWrite, loadCliConfig, openCliDatabase, print } from '../context.js';
import { port, timeZone } from '../options.js';

interface ServeFlags {
  host?: string;
  port?: number;
  schedule?: string;
  timezone?: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Dashboard, /metrics (Prometheus), /healthz and /readyz. Binds [server].host (127.0.0.1) by default; any other address needs the bearer token from [server].token_env. With --schedule (or [server].schedule) also runs `ordersync run` on a cron expression, never overlapping; a tick is refused (logged, nothing synced) while a rollback, cutover baseline or cutover canary of the environment is unfinished.')
    .option('--host <address>', 'bind address (default [server].host)')
    .option('--port <n>', 'port (default [server].port; 0 = any free port)', port('--port'))
    .option('--schedule <cron>', 'run the job on this cron expression (five fields, or six with leading seconds), e.g. "5 * * * *"')
    .option('--timezone <zone>', 'IANA time zone the schedule is read in, e.g. "Europe/Berlin" (default [server].timezone, else local time)', timeZone)
    .action(async (opts: ServeFlags, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      const cronText = opts.schedule ?? cfg.settings.server.schedule;
      let cron;
      try {
        cron = cronText ? parseCron(cronText, opts.timezone ?? cfg.settings.server.timezone) : undefined;
      } catch (err) {
        throw new ConfigError((err as Error).message);
      }
      if (cron) confirmWrite(cmd, cfg);
      // Pending migrations are served (/readyz answers 503 until `migrate up`).
      const db = await openCliDatabase(cfg, { anySchema: true });
      let srv;
      try {
        const { startOpsServer } = await import('../../serve/index.js');
        srv = await startOpsServer(db, cfg, { host: opts.host, port: opts.port });
      } catch (err) {
        await db.close();
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new ConfigError(`port ${opts.port ?? cfg.settings.server.port} on ${opts.host ?? cfg.settings.server.host} is in use (another ordersync serve?): stop it, or pick another with --port or [server].port`);
        }
        throw err;
      }
      print(`ordersync serve (${cfg.envName}) listening on ${srv.url}${srv.requiresToken ? ' (bearer token required)' : ''}${cron ? `; running the job on "${cron.source}" (${cron.timezone ?? 'local time'}), next at ${cron.next(new Date()).toISOString()}` : ''}`);
      const job = cron
        ? schedule(
            cron,
            async () => {
              const { result, exitCode } = await runObserved(db, cfg, { command: 'run' }, { logFormat: 'json' });
              logLine({ level: 'info', msg: 'scheduled run done', run_id: result.runId, status: result.status, exit_code: exitCode, summary: formatSummaryTable(result) });
            },
            {
              onSkip: (at) => logLine({ level: 'info', msg: 'tick skipped: the previous run is still going', at: at.toISOString() }),
              onError: (err) => logLine(scheduledRunError(err)),
            },
          )
        : undefined;
      // The first SIGTERM/SIGINT stops the schedule and the run in progress (after its request
      // in flight, marked ABORTED); a second one exits at once.
      let stop: StopScope | undefined;
      const signal = await new Promise<string>((resolve) => {
        stop = stopScope((sig) => resolve(sig));
      });
      logLine({ level: 'info', msg: `${signal}: stopping`, running: Boolean(job?.running) });
      job?.stop();
      while (job?.running) await new Promise((r) => setTimeout(r, 200));
      await srv.close();
      await db.close();
      stop?.release();
    });
}

function logLine(fields: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...fields })}\n`);
}

/** A tick that found the lock held is routine (info); one stopped by a signal is a warning. */
function scheduledRunError(err: unknown): Record<string, unknown> {
  const error = err instanceof Error ? err.message : String(err);
  if (err instanceof OrdersyncError && err.exitCode === ExitCode.locked) return { level: 'info', msg: 'scheduled run skipped: another run holds the lock', error };
  if (err instanceof StoppedError) return { level: 'warn', msg: 'scheduled run stopped by a signal', signal: err.signal, run_id: err.runId, status: 'ABORTED' };
  return { level: 'error', msg: 'scheduled run failed', error };
}
