import { ConfigError } from '../errors.js';
import { dialectAdapter, type DialectName } from '../db/index.js';

/**
 * Column names from the header record, trimmed. Empty or repeated names are a hard error: a
 * column could not be told apart, so no row could be loaded faithfully. Where the engine compares
 * identifiers without regard to case (SQLite, SQL Server), `Notes` and `NOTES` are the same column.
 */
export function headerNames(path: string, values: readonly string[], dialect: DialectName): string[] {
  const folds = dialectAdapter(dialect).foldsIdentifierCase;
  const names = values.map((v) => v.trim());
  const empty = names.flatMap((name, i) => (name === '' ? [i + 1] : []));
  const seen = new Map<string, string>();
  const repeated: string[] = [];
  for (const name of names) {
    if (name === '') continue;
    const fold = folds ? name.toLowerCase() : name;
    const earlier = seen.get(fold);
    if (earlier !== undefined) repeated.push(earlier === name ? `"${name}"` : `"${earlier}" / "${name}"`);
    else seen.set(fold, name);
  }
  const problems: string[] = [];
  if (empty.length > 0) problems.push(`column${empty.length > 1 ? 's' : ''} ${empty.join(', ')} ha${empty.length > 1 ? 've' : 's'} no name`);
  if (repeated.length > 0) problems.push(`repeated column name${repeated.length > 1 ? 's' : ''}: ${[...new Set(repeated)].join(', ')}`);
  if (problems.length > 0) throw new ConfigError(`${path}: header row: ${problems.join('; ')}`);
  return names;
}
