import { ConfigError } from '../errors.js';
import type { ResolvedConfig } from './load.js';

export interface WriteConsent {
  yes?: boolean;
  isTTY?: boolean;
  envVars?: NodeJS.ProcessEnv;
}

/**
 * A protected environment (production) is written to only with explicit consent: --yes,
 * or a non-interactive CI job (CI set and no terminal), where nobody could answer anyway.
 */
export function assertWritable(cfg: ResolvedConfig, consent: WriteConsent): void {
  if (!cfg.settings.protected) return;
  const envVars = consent.envVars ?? process.env;
  const ci = envVars.CI !== undefined && envVars.CI !== '' && envVars.CI !== 'false';
  if (consent.yes || (ci && !consent.isTTY)) return;
  throw new ConfigError(
    `environment "${cfg.envName}" is protected: pass --yes to write to it (or run non-interactively with CI set)`,
  );
}
