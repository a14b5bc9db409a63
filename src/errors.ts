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
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

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
