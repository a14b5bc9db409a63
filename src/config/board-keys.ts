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

/**
 * Where an order's business key is on the items board: the whole key in one column (the
 * mapped key column of a single key, or mapping.key_column_id, which the sync fills with the
 * canonical escaped key when no staging column is mapped to it), or each part of a
 * composite key in its own mapped column.
 */
export type BoardKey = { kind: 'whole'; columnId: string; written: boolean } | { kind: 'parts'; columnIds: string[] };

export function boardKey(s: Settings): BoardKey {
  const keys = s.staging.key_columns;
  const mapped = s.mapping.columns;
  const id = s.mapping.key_column_id;
  if (id !== undefined) {
    const sources = Object.entries(mapped).filter(([, c]) => c === id).map(([source]) => source);
    if (sources.length === 0) return { kind: 'whole', columnId: id, written: true };
    if (keys.length === 1 && sources.length === 1 && sources[0] === keys[0]) return { kind: 'whole', columnId: id, written: false };
    throw new ConfigError(
      `mapping.key_column_id ${id} is mapped from ${sources.map((x) => `"${x}"`).join(', ')}, so it cannot hold the whole business key [${keys.map((k) => `"${k}"`).join(', ')}]: point it at a column no staging column is mapped to (ordersync writes the key there), or leave it unset and map every key column`,
    );
  }
  const missing = keys.filter((k) => mapped[k] === undefined);
  if (missing.length > 0) {
    throw new ConfigError(
      keys.length === 1
        ? `no monday column holds the business key: map "${keys[0]}" in [mapping.columns] or set mapping.key_column_id (crash recovery and baseline look items up by it)`
        : `the composite business key [${keys.map((k) => `"${k}"`).join(', ')}] is not on the board: ${missing.map((k) => `"${k}"`).join(', ')} not mapped; map every key column in [mapping.columns], or set mapping.key_column_id to a column ordersync fills with the whole key`,
    );
  }
  if (keys.length === 1) return { kind: 'whole', columnId: mapped[keys[0] as string] as string, written: false };
  return { kind: 'parts', columnIds: keys.map((k) => mapped[k] as string) };
}
