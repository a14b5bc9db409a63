import { KEY_COLUMN, stagingColumns, type StagingColumn, type StagingRow } from './columns.js';
import { buildCustomers, type Customer } from './customers.js';
import { resolveMess, type MessOptions } from './mess.js';
import { buildOrder, coreColumns, emptyRow, type NotesKind } from './order.js';
import { Rng } from './prng.js';
import { uuid } from './values.js';

export interface GenerateOptions {
  seed: number;
  /** Distinct orders; duplicates and blank rows come on top. */
  orders: number;
  /** Default: one per ~200 orders, between 1 and 45 (the real order list has ~45 customer files). */
  customers?: number;
  /** true (default): the default shares of {@link MessOptions}; false: clean data; object: overrides. */
  mess?: boolean | Partial<MessOptions>;
}

export interface StagingData {
  columns: StagingColumn[];
  /** Lazy and re-iterable: each pass regenerates the same rows from the seed, one at a time. */
  rows: Iterable<StagingRow>;
}

function defaultCustomerCount(orders: number): number {
  return Math.min(45, Math.max(1, Math.ceil(orders / 200)));
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
}

export function generateStaging(opts: GenerateOptions): StagingData {
  checkCount('seed', opts.seed, Number.MIN_SAFE_INTEGER);
  checkCount('orders', opts.orders, 0);
  const customerCount = opts.customers ?? defaultCustomerCount(opts.orders);
  checkCount('customers', customerCount, 1);
  const mess = resolveMess(opts.mess);
  const columns = stagingColumns();
  const optional = columns.filter((c) => !coreColumns.has(c.name) && c.role === undefined).map((c) => c.name);
  const emptySeasonCustomer = mess.emptyCustomerSeason ? Math.min(1, customerCount - 1) : undefined;
  const customers = buildCustomers(opts.seed, customerCount, optional, emptySeasonCustomer);
  return {
    columns,
    rows: { [Symbol.iterator]: () => orderRows(opts.seed, opts.orders, columns, customers, mess) },
  };
}

function* orderRows(
  seed: number,
  orders: number,
  columns: readonly StagingColumn[],
  customers: readonly Customer[],
  mess: MessOptions,
): Generator<StagingRow> {
  const weights = customers.map((c) => c.weight);
  const nextNumber = customers.map((c) => new Rng(seed, 'numbering', c.index).int(100, 5_000));
  for (let i = 0; i < orders; i++) {
    const rng = new Rng(seed, 'order', i);
    // A separate stream, so turning mess on or off leaves the underlying orders the same.
    const messRng = new Rng(seed, 'mess', i);
    const [blank, emptyKey, duplicate, cancelled, unicode, long] = Array.from({ length: 6 }, () => messRng.next());
    if ((blank ?? 1) < mess.blankRowShare) yield emptyRow(columns);

    const c = rng.weighted(weights);
    const customer = customers[c] as Customer;
    const number = nextNumber[c] ?? 0;
    nextNumber[c] = number + (rng.chance(0.1) ? 2 : 1);
    const notesKind: NotesKind =
      (long ?? 1) < mess.longNotesShare ? 'long' : (unicode ?? 1) < mess.unicodeShare ? 'unicode' : 'plain';
    const baseType = rng.chance(0.85) ? 'RECEIVED' : 'FORECAST';
    const row = buildOrder(rng, columns, {
      customer,
      key: (emptyKey ?? 1) < mess.emptyKeyShare ? null : `${customer.prefix}-${String(number).padStart(5, '0')}`,
      orderType: (cancelled ?? 1) < mess.cancelledShare ? messRng.pick(['CANCELLED', 'Cancelled']) : baseType,
      notes: notesKind,
    });
    yield row;
    if ((duplicate ?? 1) < mess.duplicateShare && row[KEY_COLUMN] !== null) yield restaged(messRng, row, columns);
  }
}

/** The same order staged again (another source row) with other quantities: the real duplicate-key mess. */
function restaged(rng: Rng, row: StagingRow, columns: readonly StagingColumn[]): StagingRow {
  const copy: StagingRow = { ...row, record_uuid: uuid(rng) };
  let total = 0;
  for (const column of columns) {
    const qty = row[column.name];
    if (column.role !== 'size' || typeof qty !== 'number') continue;
    const changed = qty + rng.int(1, Math.max(1, Math.round(qty * 0.8)));
    copy[column.name] = changed;
    total += changed;
  }
  copy['TOTAL QTY'] = total;
  return copy;
}
