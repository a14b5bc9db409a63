import type { Command } from 'commander';
import type { JobCommand } from '../../jobs/run.js';
import { runObserved } from '../../jobs/observed.js';
import type { LogFormat } from '../../observe/progress.js';
import { parseLogFormat } from '../options.js';
import { formatSummaryTable } from '../render/summary.js';
import { confirmWrite, loadCliConfig, pageUnopened, print, printJson, withDb } from '../context.js';
import { positiveInteger } from '../options.js';

interface JobFlags {
  json?: boolean;
  allowMassChange?: boolean;
  limit?: number;
  customer?: string;
  logFormat?: LogFormat;
}

function jobCommand(program: Command, name: JobCommand, description: string): Command {
  return program
    .command(name)
    .description(description)
    .option('--json', 'machine-readable output')
    .option('--allow-mass-change', 'let this run cancel/archive/remove more orders than the [cancel] blast-radius limits')
    .option('--limit <n>', 'canary: sync at most N orders', positiveInteger('--limit'))
    .option('--customer <name>', 'canary: sync only this customer')
    .option('--log-format <format>', 'auto (progress bars on a TTY, JSON logs otherwise), pretty or json; logs go to stderr', parseLogFormat, 'auto' as LogFormat)
    .action(async (opts: JobFlags, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      confirmWrite(cmd, cfg);
      // runObserved = runJob + progress/logs + the [alerts] evaluation and webhook (src/jobs/observed.ts).
      const { result, alerts, exitCode } = await withDb(
        cfg,
        (db) => runObserved(db, cfg, { command: name, allowMassChange: opts.allowMassChange, scope: { limit: opts.limit, customer: opts.customer } }, { logFormat: opts.logFormat }),
        { onOpenError: (err) => pageUnopened(cfg, err) },
      );
      if (opts.json) printJson({ ...result, alerts });
      else print(formatSummaryTable(result, alerts));
      return exitCode;
    });
}

export function registerSync(program: Command): void {
  jobCommand(
    program,
    'run',
    'The scheduled job: merge the staging table, then sync the board (under the environment\'s run lock). Before anything is sent the mapping is checked against the live boards. [alerts] are evaluated after it and posted to the webhook; a database it cannot open posts database_unavailable. SIGTERM/SIGINT stop it after the request in flight (run ABORTED, lock released; a second signal exits at once). Exit codes: 0 ok, 1 failed, 2 degraded, 3 config or input error, 4 another run in progress, or an interrupted rollback, cutover baseline or cutover canary to finish first (the message names `ordersync rollback --run N` or `ordersync cutover`), 130/143 stopped by SIGINT/SIGTERM.',
  );
  jobCommand(program, 'sync', 'Sync PENDING orders and lines to monday.com (groups, items, subitems) without merging first.');
  jobCommand(program, 'retry', 'Put rows parked in ERROR back in the queue (counters reset) and sync.');
}
