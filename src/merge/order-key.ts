/** The one spelling of an order's key, shared by the merge and the board matcher (which loads nothing else of the merge). */
export const KEY_SEPARATOR = ' | ';

/**
 * The order's key as one string: the value itself for a single key column; for a composite
 * key the values joined by " | ", with "\\" and "|" escaped so no two keys can collide.
 */
export function orderKey(values: string[]): string {
  if (values.length === 1) return values[0] as string;
  return values.map((v) => v.replaceAll('\\', '\\\\').replaceAll('|', '\\|')).join(KEY_SEPARATOR);
}
