import type { Settings } from '../config/schema.js';

export interface DuplicateKey {
  key: string;
  rows: number[];
  /** The staging row kept under the policy, or null when the key is skipped (policy "error"). */
  kept: number | null;
}

/**
 * Business keys are not unique in real files. Given every (key, row) pair of one load,
 * decide which row speaks for each key; the others are reported, never dropped silently.
 */
export function resolveDuplicates(
  keys: Map<string, number[]>,
  policy: Settings['staging']['duplicate_policy'],
): { duplicates: DuplicateKey[]; chosenRow: Map<string, number> } {
  const duplicates: DuplicateKey[] = [];
  const chosenRow = new Map<string, number>();
  for (const [key, rows] of keys) {
    if (rows.length === 1) {
      chosenRow.set(key, rows[0] as number);
      continue;
    }
    const kept = policy === 'first' ? (rows[0] as number) : policy === 'last' ? (rows[rows.length - 1] as number) : null;
    if (kept !== null) chosenRow.set(key, kept);
    duplicates.push({ key, rows, kept });
  }
  return { duplicates, chosenRow };
}
