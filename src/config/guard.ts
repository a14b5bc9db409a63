import { ConfigError } from '../errors.js';
import type { ResolvedConfig } from './load.js';

export interface WriteConsent {
  yes?: boolean;
  isTTY?: boolean;
  envVars?: NodeJS.ProcessEnv;
}

/**
 * A protected environment (production) is written to only with explicit consent: --yes,
 * or a non-interactive CI job (CI=true, as GitHub Actions, GitLab CI and most runners set
 * it, and no terminal), where nobody could answer anyway. Any other value (CI=0, CI=no, a
 * stray CI=1 in a shell profile) is not consent.
 */
export function assertWritable(cfg: ResolvedConfig, consent: WriteConsent): void {
  if (!cfg.settings.protected) return;
  const envVars = consent.envVars ?? process.env;
  const ci = envVars.CI?.trim().toLowerCase() === 'true';
  if (consent.yes || (ci && !consent.isTTY)) return;
  throw new ConfigError(
    `environment "${cfg.envName}" is protected: pass --yes to write to it (or run non-interactively with CI=true)`,
  );
}
