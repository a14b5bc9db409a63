/**
 * Errors that reach the user. Each carries the exit code the CLI returns, so a
 * scheduler can tell a configuration mistake from a failed run.
 */
export const ExitCode = {
  ok: 0,
  failed: 1,
  degraded: 2,
  config: 3,
  locked: 4,
  /** 128 + the signal number, as shells, systemd and Kubernetes report a job ended by a signal. */
  sigint: 130,
  sigterm: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * What each exit code means and what a scheduler should do about it: the one source of the
 * exit-code tables in README.md and docs/operations.md (tests/docs/exit-codes.test.ts
 * checks both against it).
 */
export const EXIT_CODE_DOCS: Record<keyof typeof ExitCode, { meaning: string; action: string }> = {
  ok: { meaning: 'ok: success rate ≥ `[alerts].success_ok` (95 %) and no alert', action: 'none' },
  failed: {
    meaning:
      'failed: success rate < `success_degraded` (80 %), the run stopped (rate/daily limit, crash), a **critical** alert (budget exhausted, consecutive failed runs), or the database went away (refused connection, lost connection)',
    action: 'page / investigate',
  },
  degraded: {
    meaning: 'degraded: success between 80 % and 95 %, any failed record, a difference the post-run board check found, at least `[alerts].rejected_rows.warn` staging rows rejected, or a **warning** alert (backlog age, stuck in flight, 429s with work left undone)',
    action: 'look at `ordersync status` today',
  },
  config: {
    meaning:
      'configuration or input error: bad flag value, bad config, unknown run id, a database its settings cannot open (bad URL, unknown host, wrong role or password, missing database, schema not migrated; `migrate status` with pending migrations), a mapping that does not fit the live board',
    action: 'fix the command, the config or the database settings named in the message',
  },
  locked: {
    meaning: 'another run of this environment holds the run lock; an interrupted rollback, cutover baseline or cutover canary must be finished first (the message names the command); or (`ingest`) a running merge is reading the staging table, nothing was loaded',
    action: 'lock: nothing, the next tick runs. "resume with `ordersync rollback --run N`" / "finish it with `ordersync cutover`": a person runs that command; the schedule stays refused until then. `ingest`: run it again once the merge has finished',
  },
  sigint: {
    meaning: 'stopped by SIGINT (Ctrl-C): the request in flight was written back, the run marked ABORTED, the lock released',
    action: 'none; the next run resumes (a stopped rollback: run the same `ordersync rollback` again)',
  },
  sigterm: {
    meaning: 'stopped by SIGTERM (systemd, Kubernetes, Kestra): the request in flight was written back, the run marked ABORTED, the lock released',
    action: 'none; the next run resumes (a stopped rollback: run the same `ordersync rollback` again)',
  },
};

/** The exit-code table as it appears in the docs. */
export function exitCodeTable(): string {
  const rows = (Object.keys(ExitCode) as Array<keyof typeof ExitCode>).map((k) => `| ${ExitCode[k]} | ${EXIT_CODE_DOCS[k].meaning} | ${EXIT_CODE_DOCS[k].action} |`);
  return ['| Code | Meaning | Scheduler action |', '|---|---|---|', ...rows].join('\n');
}

export class OrdersyncError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode = ExitCode.failed, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad configuration or input: names the file, line and key (or row and column). */
export class ConfigError extends OrdersyncError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.config, options);
  }
}

/** A flag or argument the user typed that cannot be read (`--limit abc`, `--older-than 1m`). */
export class InputError extends ConfigError {}

/** The database named by the settings cannot be used; the message names the key or variable and the fix. */
export class DatabaseError extends OrdersyncError {}

/** The run stopped because the process was asked to (SIGTERM, SIGINT). */
export class StoppedError extends OrdersyncError {
  readonly signal: 'SIGINT' | 'SIGTERM';
  /** The run record marked ABORTED, once the job has closed it. */
  runId: number | undefined;
  /** What finishes the work, when it is not simply the next run. */
  resume: string | undefined;
  constructor(signal: 'SIGINT' | 'SIGTERM') {
    super(`stopped by ${signal}`, signal === 'SIGINT' ? ExitCode.sigint : ExitCode.sigterm);
    this.signal = signal;
  }
}

/** The exit code a thrown error ends a command with: its own, or 1 (failed) for anything unexpected. */
export function exitCodeOfError(err: unknown): ExitCode {
  return err instanceof OrdersyncError ? err.exitCode : ExitCode.failed;
}
