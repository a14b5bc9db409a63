import type { Command } from 'commander';
import { databaseTarget, openDatabase } from '../../db/connect.js';
import { ConfigError } from '../../errors.js';
import { parseCron, schedule } from '../../ops/cron.js';
import { formatSummaryTable, runObserved } from '../../ops/terminal.js';
import { confirmWrite, loadCliConfig, print } from '../context.js';

interface ServeFlags {
  host?: string;
  port?: number;
  schedule?: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Dashboard, /metrics (Prometheus), /healthz and /readyz. Binds [server].host (127.0.0.1) by default; any other address needs the bearer token from [server].token_env. With --schedule (or [server].schedule) also runs `ordersync run` on a cron expression, never overlapping; a tick is refused (logged, nothing synced) while a rollback or cutover baseline of the environment is unfinished.')
    .option('--host <address>', 'bind address (default [server].host)')
    .option('--port <n>', 'port (default [server].port; 0 = any free port)', (v) => Number.parseInt(v, 10))
    .option('--schedule <cron>', 'run the job on this five-field cron expression (local time), e.g. "5 * * * *"')
    .action(async (opts: ServeFlags, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      const cronText = opts.schedule ?? cfg.settings.server.schedule;
      let cron;
      try {
        cron = cronText ? parseCron(cronText) : undefined;
      } catch (err) {
        throw new ConfigError((err as Error).message);
      }
      if (cron) confirmWrite(cmd, cfg);
      const db = await openDatabase(databaseTarget(cfg));
      let srv;
      try {
        const { startOpsServer } = await import('../../ops/server.js');
        srv = await startOpsServer(db, cfg, { host: opts.host, port: opts.port });
      } catch (err) {
        await db.close();
        throw err;
      }
      print(`ordersync serve (${cfg.envName}) listening on ${srv.url}${srv.requiresToken ? ' (bearer token required)' : ''}${cron ? `; running the job on "${cron.source}"` : ''}`);
      const job = cron
        ? schedule(
            cron,
            async () => {
              const { result, exitCode } = await runObserved(db, cfg, { command: 'run' }, { logFormat: 'json' });
              process.stderr.write(`${JSON.stringify({ msg: 'scheduled run done', run_id: result.runId, status: result.status, exit_code: exitCode, summary: formatSummaryTable(result) })}\n`);
            },
            {
              onSkip: (at) => process.stderr.write(`${JSON.stringify({ msg: 'tick skipped: the previous run is still going', at: at.toISOString() })}\n`),
              onError: (err) => process.stderr.write(`${JSON.stringify({ msg: 'scheduled run failed', error: err instanceof Error ? err.message : String(err) })}\n`),
            },
          )
        : undefined;
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      job?.stop();
      // Let a run in progress finish its write-back before closing the database.
      while (job?.running) await new Promise((r) => setTimeout(r, 200));
      await srv.close();
      await db.close();
    });
}
