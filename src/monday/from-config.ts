import { mondayApiUrl, requireSecret, type ResolvedConfig, type Settings } from '../config/index.js';
import { MondayClient, type MondayClientOptions } from './client.js';
import { CLIENT_DEFAULTS } from './limits.js';

/** The [monday] settings the client runs with: each one the file leaves unset is the client's default. */
export function clientSettings(m: Settings['monday']) {
  return {
    batchSize: m.batch_size ?? CLIENT_DEFAULTS.batchSize,
    timeoutMs: m.timeout_ms ?? CLIENT_DEFAULTS.timeoutMs,
    maxRetries: m.max_retries ?? CLIENT_DEFAULTS.maxRetries,
    complexityPerMinute: m.complexity_per_minute ?? CLIENT_DEFAULTS.complexityPerMinute,
  };
}

/** A client for the selected environment; the token is read from its variable only now. */
export function clientFromConfig(
  cfg: ResolvedConfig,
  extra: Pick<MondayClientOptions, 'onExchange' | 'signal' | 'sharedBudget' | 'onWait'> = {},
  envVars: NodeJS.ProcessEnv = process.env,
): { client: MondayClient; token: string } {
  const m = cfg.settings.monday;
  const token = requireSecret(cfg, m.token_env, 'monday.token_env', envVars);
  const c = clientSettings(m);
  const client = new MondayClient({
    apiUrl: mondayApiUrl(cfg, envVars),
    apiVersion: m.api_version,
    token,
    timeoutMs: c.timeoutMs,
    maxRetries: c.maxRetries,
    batchSize: c.batchSize,
    complexityBudgetPerMinute: c.complexityPerMinute,
    ...extra,
  });
  return { client, token };
}
