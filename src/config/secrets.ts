import { ConfigError } from '../errors.js';
import { insecureEndpoint } from './network.js';
import type { ResolvedConfig } from './load.js';

/**
 * Secrets are read from the environment only when a command needs them, so `config show`
 * and `migrate` work without a monday token, and a missing one names its variable.
 */
export function requireSecret(cfg: ResolvedConfig, varName: string, keyPath: string, envVars: NodeJS.ProcessEnv = process.env): string {
  const value = envVars[varName];
  if (value === undefined || value.trim() === '') {
    throw new ConfigError(
      `environment variable ${varName} is not set (${keyPath} in ${cfg.file}, environment "${cfg.envName}")`,
    );
  }
  return value;
}

/** The GraphQL endpoint: from monday.api_url_env's variable when that key is set, else monday.api_url. */
export function mondayApiUrl(cfg: ResolvedConfig, envVars: NodeJS.ProcessEnv = process.env): string {
  const m = cfg.settings.monday;
  if (m.api_url_env === undefined) return m.api_url;
  const url = requireSecret(cfg, m.api_url_env, 'monday.api_url_env', envVars).trim();
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new ConfigError(`environment variable ${m.api_url_env} (monday.api_url_env in ${cfg.file}) does not hold an http(s) URL`);
  }
  const insecure = insecureEndpoint(url);
  if (insecure) throw new ConfigError(`environment variable ${m.api_url_env} (monday.api_url_env in ${cfg.file}): ${insecure}`);
  return url;
}

export function optionalSecret(varName: string, envVars: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = envVars[varName];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** For display: shows that a secret is set without showing it. */
export function maskSecret(value: string | undefined): string {
  if (value === undefined) return '(not set)';
  return `(set, ${value.length} chars)`;
}

/** postgres://user:pass@host/db → postgres://user:****@host/db */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return '****';
  }
}
