import { describe, expect, it } from 'vitest';
import {
  changeKinds, generateStaging, KEY_COLUMN, nextDay, type ChangeKind, type StagingRow,
} from '../../src/sampledata/index.js';

const generated = generateStaging({ seed: 21, orders: 6_000, mess: { cancelledShare: 0.08 } });
const day0 = { rows: [...generated.rows] };
const sizeNames = generated.columns.filter((c) => c.role === 'size').map((c) => c.name);
const present = (r: StagingRow) => new Map(sizeNames.filter((s) => typeof r[s] === 'number' && (r[s] as number) > 0).map((s) => [s, r[s]]));
const cancelled = (r: StagingRow) => /^cancel/i.test(String(r['ORDER TYPE']));

function firstByKey(rows: Iterable<StagingRow>): Map<string, StagingRow> {
  const map = new Map<string, StagingRow>();
  for (const r of rows) if (typeof r[KEY_COLUMN] === 'string' && !map.has(r[KEY_COLUMN])) map.set(r[KEY_COLUMN], r);
  return map;
}

/** Classifies each key's change by comparing the two days, independently of the summary. */
function observedChange(before: StagingRow | undefined, after: StagingRow | undefined): ChangeKind | undefined {
  if (!after) return 'vanished';
  if (!before) return 'added';
  if (cancelled(before) !== cancelled(after)) return cancelled(after) ? 'cancelled' : 'reactivated';
  const [b, a] = [present(before), present(after)];
  if ([...a.keys()].some((s) => !b.has(s))) return 'sizeAdded';
  if ([...b.keys()].some((s) => !a.has(s))) return 'sizeRemoved';
  if ([...a].some(([s, q]) => b.get(s) !== q)) return 'quantity';
  const changed = Object.keys(after).filter((c) => c !== 'record_uuid' && after[c] !== before[c]);
  return changed.length > 0 ? 'header' : undefined;
}

describe('nextDay', () => {
  const next = nextDay(day0.rows, { seed: 99 });
  const day1 = [...next.rows];
  const summary = next.summary();

  it('reports exactly the changes a diff of the two days finds', () => {
    const before = firstByKey(day0.rows);
    const after = firstByKey(day1);
    const observed = Object.fromEntries(changeKinds.map((k) => [k, [] as string[]])) as Record<ChangeKind, string[]>;
    for (const key of new Set([...before.keys(), ...after.keys()])) {
      const kind = observedChange(before.get(key), after.get(key));
      if (kind) observed[kind].push(key);
    }
    for (const kind of changeKinds) {
      expect(new Set(summary.keys[kind]), kind).toEqual(new Set(observed[kind]));
      expect(summary.counts[kind]).toBe(summary.keys[kind].length);
    }
  });

  it('applies each kind of change at about its share', () => {
    const active = [...firstByKey(day0.rows).values()].filter((r) => !cancelled(r)).length;
    const wasCancelled = [...firstByKey(day0.rows).values()].filter(cancelled).length;
    const contentChanges = summary.counts.quantity + summary.counts.sizeAdded + summary.counts.sizeRemoved + summary.counts.header;
    expect(contentChanges / active).toBeGreaterThan(0.035);
    expect(contentChanges / active).toBeLessThan(0.065);
    expect(summary.counts.cancelled / active).toBeGreaterThan(0.005);
    expect(summary.counts.cancelled / active).toBeLessThan(0.016);
    expect(summary.counts.reactivated / wasCancelled).toBeGreaterThan(0.12);
    expect(summary.counts.reactivated / wasCancelled).toBeLessThan(0.28);
    for (const kind of changeKinds) expect(summary.counts[kind], kind).toBeGreaterThan(0);
    expect(summary.rowsOut).toBe(day1.length);
  });

  it('spells cancellations both ways, keeps totals right, regenerates every uuid', () => {
    const after = firstByKey(day1);
    expect(new Set(summary.keys.cancelled.map((k) => after.get(k)?.['ORDER TYPE']))).toEqual(new Set(['CANCELLED', 'Cancelled']));
    for (const r of day1) {
      if (r[KEY_COLUMN] === null) continue;
      expect(r['TOTAL QTY']).toBe([...present(r).values()].reduce((s: number, q) => s + (q as number), 0));
    }
    const oldUuids = new Set([...day0.rows].map((r) => r.record_uuid).filter((u) => u !== null));
    expect(day1.filter((r) => r.record_uuid !== null && oldUuids.has(r.record_uuid))).toHaveLength(0);
  });

  it('passes rows without a key through and gives new orders fresh keys of their customer', () => {
    const keyless = (rows: Iterable<StagingRow>) => [...rows].filter((r) => r[KEY_COLUMN] === null).length;
    expect(keyless(day1)).toBe(keyless(day0.rows));
    const old = firstByKey(day0.rows);
    const after = firstByKey(day1);
    for (const key of summary.keys.added) {
      expect(old.has(key)).toBe(false);
      const row = after.get(key)!;
      expect(key.slice(0, 3)).toBe(String([...old.values()].find((r) => r['CUSTOMER NAME'] === row['CUSTOMER NAME'])?.[KEY_COLUMN]).slice(0, 3));
    }
  });

  it('is deterministic and lazy', () => {
    const again = nextDay(day0.rows, { seed: 99 });
    expect(() => again.summary()).toThrow(/iterate/);
    expect(JSON.stringify([...again.rows])).toBe(JSON.stringify(day1));
    expect(again.summary()).toEqual(summary);
    expect(JSON.stringify([...nextDay(day0.rows, { seed: 100 }).rows])).not.toBe(JSON.stringify(day1));
  });

  it('chains: a day after the next day', () => {
    const day2 = nextDay(next.rows, { seed: 100, changeShare: 0.2 });
    const rows = [...day2.rows];
    expect(rows.length).toBe(day2.summary().rowsOut);
    expect(day2.summary().counts.quantity).toBeGreaterThan(summary.counts.quantity);
  });
});
