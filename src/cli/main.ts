import { CommanderError, type Command } from 'commander';
import { ExitCode, OrdersyncError, StoppedError } from '../errors.js';
import { SUPPORTED_API_VERSIONS, VERSION } from '../version.js';
import { commandModules } from './commands/index.js';
import { Program } from './program.js';

/**
 * The program. Given argv, only the module of the command it names is imported and registered
 * in full; the others are listed by their summary, so `ordersync status` never loads what
 * `serve` or `demo` need. Without argv every module is loaded (the help and docs tests).
 */
export async function buildProgram(argv?: string[]): Promise<Program> {
  const program = new Program('ordersync')
    .description('Keep the order list (SQL) in step with monday.com boards.')
    .version(`ordersync ${VERSION} (monday API ${SUPPORTED_API_VERSIONS.join(', ')})`, '-V, --version', 'print the version and the monday API version it speaks')
    .option('-c, --config <file>', 'config file (default: $ORDERSYNC_CONFIG or ./ordersync.toml)')
    .option('-e, --env <name>', 'environment (default: $ORDERSYNC_ENV, then default_env in the file)')
    .option('-y, --yes', 'confirm writes to a protected environment')
    .option('--debug', 'print the stack trace of an unexpected error')
    .showHelpAfterError()
    .exitOverride();
  const wanted = argv === undefined ? undefined : invokedCommand(program, argv.slice(2));
  for (const m of commandModules) {
    const names = Object.entries(m.summaries);
    if (wanted === undefined || names.some(([name]) => name === wanted)) {
      (await m.load())(program);
      for (const [name, summary] of names) program.commands.find((c) => c.name() === name)?.summary(summary);
    } else {
      for (const [name, summary] of names) program.command(name).summary(summary).description(summary);
    }
  }
  return program;
}

/** The command argv names (`help X` names X), skipping the global options and their values. */
function invokedCommand(program: Command, args: string[]): string | null {
  const takesValue = new Set(program.options.filter((o) => o.required || o.optional).flatMap((o) => [o.short, o.long]));
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (takesValue.has(a)) i++;
    else if (a === 'help') return args.slice(i + 1).find((x) => !x.startsWith('-')) ?? null;
    else if (!a.startsWith('-')) return a;
  }
  return null;
}

interface Failure {
  code: string;
  message: string;
  exitCode: ExitCode;
  /** Commander has printed it already (with the usage). */
  printed?: boolean;
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
    return program.actionExitCode;
  } catch (err) {
    if (err instanceof CommanderError && err.exitCode === 0) return ExitCode.ok;
    const f = failureOf(err, argv.includes('--debug'));
    if (!f.printed) process.stderr.write(`ordersync: ${f.message}\n`);
    // A scheduler parsing --json output gets a document on failure too, never nothing.
    if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: { code: f.code, message: f.message, exit_code: f.exitCode } }, null, 2)}\n`);
    return f.exitCode;
  }
}

function failureOf(err: unknown, debug: boolean): Failure {
  if (err instanceof CommanderError) return { code: err.code, message: err.message.replace(/^error: /, ''), exitCode: ExitCode.config, printed: true };
  if (err instanceof StoppedError) {
    const run = err.runId !== undefined ? `run #${err.runId} marked ABORTED, its lock released` : 'no run was started';
    return { code: err.name, message: `${err.message}: ${run}; ${err.resume ?? 'the next run resumes'}`, exitCode: err.exitCode };
  }
  if (err instanceof OrdersyncError) {
    const code = (err as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : err.name, message: err.message, exitCode: err.exitCode };
  }
  const known = databaseFault(err);
  if (known) return { code: 'DatabaseError', message: known, exitCode: ExitCode.failed };
  const message = err instanceof Error ? err.message : String(err);
  return {
    code: err instanceof Error ? err.name : 'Error',
    message: debug && err instanceof Error && err.stack ? err.stack : `${message} (unexpected; run again with --debug for the stack trace)`,
    exitCode: ExitCode.failed,
  };
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
