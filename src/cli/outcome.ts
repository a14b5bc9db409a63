import type { ExitCode } from '../errors.js';

/** The exit code a command's action decided on (a degraded run is not an exception). */
export const outcome: { exitCode: ExitCode } = { exitCode: 0 };
