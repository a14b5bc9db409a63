import { ConfigError } from '../errors.js';
import type { Settings } from './schema.js';

/** Settings that name columns of one particular board, with what each is for. */
const subitemKeys = [
  ['size_column_id', 'the subitems board column holding the size'],
  ['qty_column_id', 'the subitems board column holding the quantity'],
] as const;

/** The `mapping` keys naming subitems-board columns that an environment leaves unset. */
export function missingSubitemColumns(s: Settings): Array<{ key: string; what: string }> {
  return subitemKeys.filter(([k]) => !s.mapping[k]).map(([k, what]) => ({ key: `mapping.${k}`, what }));
}

/**
 * The subitems-board columns a sync writes. They have no defaults (ids differ per board), so a
 * command that needs them fails before touching anything when one is unset.
 */
export function subitemColumnIds(s: Settings, env?: string): { size: string; qty: string } {
  const { size_column_id: size, qty_column_id: qty } = s.mapping;
  if (size && qty) return { size, qty };
  const missing = missingSubitemColumns(s)
    .map((m) => `${m.key} (${m.what})`)
    .join(' and ');
  throw new ConfigError(
    `${missing} not set${env ? ` for environment "${env}"` : ''}: column ids differ per board; \`ordersync board columns\` lists them`,
  );
}
