import { Command, CommanderError } from 'commander';
import { ExitCode, OrdersyncError } from '../errors.js';
import { commands } from './commands/index.js';
import { outcome } from './outcome.js';

export function buildProgram(): Command {
  const program = new Command('ordersync')
    .description('Keep the order list (SQL) in step with monday.com boards.')
    .option('-c, --config <file>', 'config file (default: $ORDERSYNC_CONFIG or ./ordersync.toml)')
    .option('-e, --env <name>', 'environment (default: $ORDERSYNC_ENV, then default_env in the file)')
    .option('-y, --yes', 'confirm writes to a protected environment')
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  outcome.exitCode = ExitCode.ok;
  try {
    await program.parseAsync(argv);
    return outcome.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.config;
    }
    if (err instanceof OrdersyncError) {
      process.stderr.write(`ordersync: ${err.message}\n`);
      return err.exitCode;
    }
    const known = databaseFault(err);
    process.stderr.write(`ordersync: ${known ?? (err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
    return ExitCode.failed;
  }
}

/**
 * The database failing under a run (a lost PostgreSQL connection, a SQLite file locked by
 * another process) is an operational fault, not a bug: say what happened and what to do,
 * without a stack trace.
 */
export function databaseFault(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = String((err as { code?: unknown }).code ?? '');
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) {
    return `the SQLite database is locked by another process (${err.message}; waited for the busy timeout). Nothing more was written by this run; run again once the other writer is done.`;
  }
  if (/^(57P0[1-3]|08\d\d\d)$/.test(code) || /Connection terminated|terminating connection|ECONNRESET|ECONNREFUSED|Client has encountered a connection error/i.test(err.message)) {
    return `the database connection was lost (${err.message}). The run stopped; its run record may show RUNNING. Rows left in flight are reconciled by the next run.`;
  }
  return undefined;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly) {
  exitQuietlyOnClosedPipe();
  process.exitCode = await main(process.argv);
}

/** `ordersync status | head` closes stdout early; that is not an error. */
export function exitQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}
