import type { RunStatus } from '../db/index.js';
import { ExitCode } from '../errors.js';
import type { Severity } from './alerts.js';

/** What a job that finished (did not throw) exits with. */
export type JobExitCode = typeof ExitCode.ok | typeof ExitCode.failed | typeof ExitCode.degraded;

/**
 * The one rule from a job's result to the process exit code (EXIT_CODE_DOCS in src/errors.ts
 * says what each means): the run's status sets the floor, a critical alert makes it 1, a
 * warning makes an OK run 2. Every command that runs jobs (`run`, `demo`, `cutover`,
 * `rollback`, the worker) decides through it.
 */
export function exitCodeFor(status: RunStatus | null, alerts: ReadonlyArray<{ severity: Severity }> = []): JobExitCode {
  if ((status !== null && status !== 'OK' && status !== 'DEGRADED') || alerts.some((a) => a.severity === 'critical')) return ExitCode.failed;
  if (status === 'DEGRADED' || alerts.length > 0) return ExitCode.degraded;
  return ExitCode.ok;
}

const SEVERITY: Record<JobExitCode, number> = { [ExitCode.ok]: 0, [ExitCode.degraded]: 1, [ExitCode.failed]: 2 };

/** A command that ran several jobs (the demo's days) exits with the worst of theirs: failed over degraded over ok. */
export function worstExitCode(codes: readonly JobExitCode[]): JobExitCode {
  return codes.reduce<JobExitCode>((worst, c) => (SEVERITY[c] > SEVERITY[worst] ? c : worst), ExitCode.ok);
}
