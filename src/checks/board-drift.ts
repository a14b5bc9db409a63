import type { BoardSnapshot } from '../monday/index.js';

/** How a live board differs from the snapshot kept next to the config. */
export interface BoardDrift {
  added: string[];
  removed: string[];
  retyped: string[];
  labelsRemoved: string[];
}

/** Columns added, removed or retyped since the snapshot, and labels that disappeared. */
export function boardDrift(snapshot: BoardSnapshot, live: BoardSnapshot): BoardDrift {
  const before = new Map(snapshot.columns.map((c) => [c.id, c]));
  const now = new Map(live.columns.map((c) => [c.id, c]));
  const drift: BoardDrift = { added: [], removed: [], retyped: [], labelsRemoved: [] };
  for (const c of live.columns) if (!before.has(c.id)) drift.added.push(`${c.id} "${c.title}" (${c.type})`);
  for (const c of snapshot.columns) {
    const l = now.get(c.id);
    if (!l) {
      drift.removed.push(`${c.id} "${c.title}" (${c.type})`);
      continue;
    }
    if (l.type !== c.type) drift.retyped.push(`${c.id} "${c.title}" ${c.type} → ${l.type}`);
    const liveLabels = new Set((l.settings?.labels ?? []).filter((x) => !x.is_deactivated).map((x) => x.label));
    for (const label of c.settings?.labels ?? []) {
      if (!label.is_deactivated && !liveLabels.has(label.label)) drift.labelsRemoved.push(`${c.id} "${label.label}"`);
    }
  }
  return drift;
}

/** Column ids named in a drift entry (the text before the first space). */
export function driftColumnIds(entries: string[]): string[] {
  return entries.map((e) => e.split(' ')[0] ?? e);
}
