import { KEY_COLUMN, sizeNames, UUID_COLUMN, type StagingRow } from './columns.js';
import { drawSizes, setSizes } from './order.js';
import { Rng } from './prng.js';
import { dayOf, isoDay, uuid } from './values.js';

export const changeKinds = [
  'quantity', 'sizeAdded', 'sizeRemoved', 'header', 'cancelled', 'reactivated', 'vanished', 'added',
] as const;
export type ChangeKind = (typeof changeKinds)[number];

export interface NextDayOptions {
  seed: number;
  /** Share of active orders whose content changes (quantity, size added or removed, header field). */
  changeShare?: number;
  /** Share of active orders cancelled (`CANCELLED` or `Cancelled`). */
  cancelShare?: number;
  /** Share of cancelled orders brought back as RECEIVED. */
  reactivateShare?: number;
  /** Share of orders that vanish from staging. */
  vanishShare?: number;
  /** New orders, as a share of the distinct keys seen, appended after the existing rows. */
  newShare?: number;
  /** Upstream rebuilds regenerate record_uuid on every row; default true. */
  regenerateUuids?: boolean;
}

export interface NextDaySummary {
  rowsIn: number;
  rowsOut: number;
  /** Keys per change kind, each key under at most one kind, in the order met. */
  keys: Record<ChangeKind, string[]>;
  counts: Record<ChangeKind, number>;
}

export interface NextDay {
  /** Lazy; re-iterable when the input is. */
  rows: Iterable<StagingRow>;
  /** What the last complete pass over `rows` changed. Throws before one has finished. */
  summary(): NextDaySummary;
}

const commonSizes = ['XXS', 'XS', 'S', 'M', 'L', 'XL', 'XXL'];
const cancelledType = /^cancel/i;

function share(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!(v >= 0 && v <= 1)) throw new RangeError(`${name} must be a share between 0 and 1, got ${v}`);
  return v;
}

function presentSizes(row: StagingRow): string[] {
  return sizeNames.filter((s) => typeof row[s] === 'number' && (row[s] as number) > 0);
}

function total(row: StagingRow): void {
  row['TOTAL QTY'] = presentSizes(row).reduce((sum, s) => sum + (row[s] as number), 0);
}

/** Decided per key, so every staged copy of a duplicated key gets the same fate. */
function decide(rng: Rng, row: StagingRow, o: Required<NextDayOptions>): ChangeKind | undefined {
  if (rng.chance(o.vanishShare)) return 'vanished';
  const r = rng.next();
  if (cancelledType.test(String(row['ORDER TYPE'] ?? ''))) return r < o.reactivateShare ? 'reactivated' : undefined;
  if (r < o.cancelShare) return 'cancelled';
  if (!rng.chance(o.changeShare)) return undefined;
  const kind = rng.pick(['quantity', 'sizeAdded', 'sizeRemoved', 'header'] as const);
  return kind === 'sizeRemoved' && presentSizes(row).length < 2 ? 'quantity' : kind;
}

function apply(rng: Rng, kind: ChangeKind, row: StagingRow): void {
  const sizes = presentSizes(row);
  switch (kind) {
    case 'quantity': {
      for (const size of new Set([rng.pick(sizes), rng.pick(sizes)])) {
        const qty = row[size] as number;
        const delta = rng.int(1, Math.max(2, Math.round(qty * 0.6)));
        row[size] = rng.chance(0.5) || qty - delta < 1 ? qty + delta : qty - delta;
      }
      return total(row);
    }
    case 'sizeAdded': {
      const candidates = commonSizes.filter((s) => !sizes.includes(s));
      const size = candidates.length > 0 ? rng.pick(candidates) : rng.pick(sizeNames.filter((s) => !sizes.includes(s)));
      row[size] = rng.int(5, 120);
      return total(row);
    }
    case 'sizeRemoved':
      // Upstream either blanks the cell or writes a zero; both mean the size is gone.
      row[rng.pick(sizes)] = rng.chance(0.3) ? 0 : null;
      return total(row);
    case 'header':
      return changeHeader(rng, row);
    case 'cancelled':
      row['ORDER TYPE'] = rng.pick(['CANCELLED', 'Cancelled']);
      return;
    case 'reactivated':
      row['ORDER TYPE'] = 'RECEIVED';
      return;
    default:
      return;
  }
}

function changeHeader(rng: Rng, row: StagingRow): void {
  const field = rng.pick(['EX FACTORY DATE', 'PO NUMBER', 'PLANNED DELIVERY METHOD', 'CUSTOMER ALT PO'] as const);
  if (field === 'EX FACTORY DATE') {
    const shift = rng.pick([-1, 1]) * rng.int(7, 30);
    for (const column of ['EX FACTORY DATE', 'ETA CUSTOMER WAREHOUSE DATE']) {
      const value = row[column];
      if (typeof value === 'string') row[column] = isoDay(dayOf(value) + shift);
    }
  } else if (field === 'PO NUMBER') {
    row[field] = `${String(row[field] ?? '')}-R${rng.int(1, 9)}`;
  } else if (field === 'PLANNED DELIVERY METHOD') {
    row[field] = row[field] === 'AIR' ? 'SEA' : 'AIR';
  } else {
    row[field] = `ALT${rng.int(100_000, 999_999)}`;
  }
}

function emptySummary(): NextDaySummary {
  const keys = Object.fromEntries(changeKinds.map((k) => [k, [] as string[]])) as Record<ChangeKind, string[]>;
  const counts = Object.fromEntries(changeKinds.map((k) => [k, 0])) as Record<ChangeKind, number>;
  return { rowsIn: 0, rowsOut: 0, keys, counts };
}

/**
 * The staging table as upstream might deliver it a day later: a seeded mix of changes over the
 * previous day's rows. Rows without a key (blank rows, empty keys) pass through unchanged.
 */
export function nextDay(rows: Iterable<StagingRow>, opts: NextDayOptions): NextDay {
  const o: Required<NextDayOptions> = {
    seed: opts.seed,
    changeShare: share('changeShare', opts.changeShare, 0.05),
    cancelShare: share('cancelShare', opts.cancelShare, 0.01),
    reactivateShare: share('reactivateShare', opts.reactivateShare, 0.2),
    vanishShare: share('vanishShare', opts.vanishShare, 0.005),
    newShare: share('newShare', opts.newShare, 0.01),
    regenerateUuids: opts.regenerateUuids ?? true,
  };
  let last: NextDaySummary | undefined;
  return {
    rows: {
      [Symbol.iterator]: () =>
        changedRows(rows, o, (s) => {
          last = s;
        }),
    },
    summary() {
      if (!last) throw new Error('nextDay summary: iterate the rows to the end first');
      return last;
    },
  };
}

function* changedRows(
  rows: Iterable<StagingRow>,
  o: Required<NextDayOptions>,
  done: (summary: NextDaySummary) => void,
): Generator<StagingRow> {
  const summary = emptySummary();
  const fates = new Map<string, ChangeKind | undefined>();
  const templates = new Map<string, StagingRow>();
  const highest = new Map<string, number>();
  for (const input of rows) {
    summary.rowsIn++;
    const key = input[KEY_COLUMN];
    const row: StagingRow = { ...input };
    if (o.regenerateUuids && row[UUID_COLUMN] != null) row[UUID_COLUMN] = uuid(new Rng(o.seed, 'uuid', summary.rowsIn));
    if (typeof key !== 'string' || key.trim() === '') {
      summary.rowsOut++;
      yield row;
      continue;
    }
    noteKey(key, row, templates, highest);
    const rng = new Rng(o.seed, 'next-day', key);
    if (!fates.has(key)) {
      const kind = decide(rng, row, o);
      fates.set(key, kind);
      if (kind) {
        summary.keys[kind].push(key);
        summary.counts[kind]++;
      }
    } else {
      decide(rng, row, o);
    }
    const kind = fates.get(key);
    if (kind === 'vanished') continue;
    if (kind) apply(rng, kind, row);
    summary.rowsOut++;
    yield row;
  }
  const newOrders = Math.round(fates.size * o.newShare);
  const customers = [...templates.keys()];
  for (let j = 0; j < newOrders && customers.length > 0; j++) {
    const rng = new Rng(o.seed, 'new-order', j);
    const template = templates.get(rng.pick(customers)) as StagingRow;
    const prefix = String(template[KEY_COLUMN]).replace(/-\d+$/, '');
    const number = (highest.get(prefix) ?? 0) + 1;
    highest.set(prefix, number);
    const key = `${prefix}-${String(number).padStart(5, '0')}`;
    const row: StagingRow = { ...template, [KEY_COLUMN]: key, [UUID_COLUMN]: uuid(rng), 'ORDER TYPE': 'RECEIVED' };
    row['PO NUMBER'] = String(rng.int(1_000, 9_999));
    for (const size of sizeNames) row[size] = null;
    setSizes(row, drawSizes(rng));
    summary.keys.added.push(key);
    summary.counts.added++;
    summary.rowsOut++;
    yield row;
  }
  done(summary);
}

/** The first row per customer is the template for its new orders; new keys continue its numbering. */
function noteKey(key: string, row: StagingRow, templates: Map<string, StagingRow>, highest: Map<string, number>): void {
  const match = /^(.+)-(\d+)$/.exec(key);
  if (!match) return;
  const [, prefix = '', digits = '0'] = match;
  highest.set(prefix, Math.max(highest.get(prefix) ?? 0, Number(digits)));
  const customer = String(row['CUSTOMER NAME'] ?? '');
  if (!templates.has(customer)) templates.set(customer, { ...row });
}
