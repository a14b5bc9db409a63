import { distance } from 'fastest-levenshtein';
import type { z } from 'zod';

/**
 * The known name closest to a mistyped one, or undefined when none is close enough to be a typo
 * (a suggestion that is plainly unrelated is worse than none). Case is ignored when measuring.
 */
export function closestName(word: string, known: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  // Two edits (one swapped pair: "dve" for "dev") at any length, a few more in long names.
  const limit = Math.min(4, Math.max(2, Math.floor(w.length / 3)));
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    if (name === word) continue;
    const d = distance(w, name.toLowerCase());
    if (d <= limit && (best === undefined || d < best.d)) best = { name, d };
  }
  return best?.name;
}

/** "; did you mean X?" or nothing. */
export function didYouMean(word: string, known: Iterable<string>): string {
  const name = closestName(word, known);
  return name === undefined ? '' : `; did you mean ${name}?`;
}

type Walkable = z.ZodType & { def: Record<string, unknown> };

/** The keys a strict table of `schema` accepts at `path` (record entries descend into their value type). */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let cur: Walkable | undefined = unwrap(schema as Walkable);
  for (const segment of path) {
    if (cur === undefined) return [];
    const t = cur.def.type;
    if (t === 'object') cur = (cur.def.shape as Record<string, Walkable>)[String(segment)];
    else if (t === 'record') cur = cur.def.valueType as Walkable;
    else if (t === 'array') cur = cur.def.element as Walkable;
    else return [];
    cur = cur === undefined ? undefined : unwrap(cur);
  }
  return cur?.def.type === 'object' ? Object.keys(cur.def.shape as Record<string, unknown>) : [];
}

function unwrap(s: Walkable): Walkable {
  let cur = s;
  while (['default', 'prefault', 'optional', 'nullable', 'readonly'].includes(cur.def.type as string)) cur = cur.def.innerType as Walkable;
  return cur;
}
