import type { ResolvedConfig } from '../config/load.js';
import { mondayApiUrl, requireSecret } from '../config/secrets.js';
import { MondayClient, type MondayClientOptions } from './client.js';

/** A client for the selected environment; the token is read from its variable only now. */
export function clientFromConfig(
  cfg: ResolvedConfig,
  extra: Pick<MondayClientOptions, 'onExchange' | 'signal' | 'sharedBudget'> = {},
  envVars: NodeJS.ProcessEnv = process.env,
): { client: MondayClient; token: string } {
  const m = cfg.settings.monday;
  const token = requireSecret(cfg, m.token_env, 'monday.token_env', envVars);
  const client = new MondayClient({
    apiUrl: mondayApiUrl(cfg, envVars),
    apiVersion: m.api_version,
    token,
    timeoutMs: m.timeout_ms,
    maxRetries: m.max_retries,
    batchSize: m.batch_size,
    complexityBudgetPerMinute: m.complexity_per_minute,
    ...extra,
  });
  return { client, token };
}
