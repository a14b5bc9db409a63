import { KEY_COLUMN, type StagingColumn, type StagingRow } from './columns.js';
import type { Customer, Season } from './customers.js';
import { Rng } from './prng.js';
import { code, decimal4, epochDay, isoDay, price, uuid } from './values.js';
import {
  categories, channels, colours, deliveryMethods, destinations, garments, genders, hsCodes, monthNames,
  origins, planners, shortNotes, sizeRuns, unicodeNotes,
} from './vocabulary.js';

export type NotesKind = 'plain' | 'unicode' | 'long';

export interface OrderSpec {
  customer: Customer;
  key: string | null;
  orderType: string;
  notes: NotesKind;
}

/** Columns the order builder fills itself; every other column is a customer's optional column. */
export const coreColumns: ReadonlySet<string> = new Set([
  'record_uuid', 'AAG ORDER NUMBER', 'CUSTOMER NAME', 'SOURCE_CUSTOMER_NAME', 'ORDER DATE PO RECEIVED',
  'PO NUMBER', 'CUSTOMER ALT PO', 'AAG SEASON', 'CUSTOMER SEASON', 'DROP', 'MONTH', 'RANGE / COLLECTION',
  'PROMO GROUP / CAMPAIGN (HOT 30/GLOBAL EDIT)', 'CATEGORY', 'PATTERN ID', 'PLANNER', 'MAKE OR BUY',
  'CUSTOMER STYLE', 'STYLE DESCRIPTION', "CUSTOMER'S COLOUR CODE (CUSTOM FIELD) CUSTOMER PROVIDES THIS",
  'CUSTOMER COLOUR DESCRIPTION', 'UNIT OF MEASURE', 'TOTAL QTY', 'DESTINATION', 'DESTINATION WAREHOUSE',
  'ALLOCATION (CHANNEL)', 'ETA CUSTOMER WAREHOUSE DATE', 'EX FACTORY DATE', 'DELIVERY TERMS',
  'PLANNED DELIVERY METHOD', 'NOTES', 'ORDER TYPE', 'CUSTOMER PRICE', 'EX WORKS (USD)', 'FINAL FOB (USD)',
  'HS CODE', 'US DUTY RATE', 'US DUTY', 'FREIGHT', 'DDP US (USD)', 'COUNTRY OF ORIGIN', '_SOURCE_TABLE',
]);

export function emptyRow(columns: readonly StagingColumn[]): StagingRow {
  const row: StagingRow = {};
  for (const c of columns) row[c.name] = null;
  return row;
}

function style(rng: Rng, customer: Customer, season: Season): string {
  const yy = String(season.year).slice(2);
  switch (customer.styleShape) {
    case 0:
      return `M${season.aag.includes('FALL') ? 'FA' : 'SP'}${yy}${String.fromCharCode(65 + rng.int(0, 11))}${rng.int(10, 99)}`;
    case 1:
      return String(rng.int(600_000, 699_999));
    case 2:
      return `${customer.prefix.slice(0, 2)}-${rng.pick(['M', 'W', 'U'])}-${String(rng.int(1, 60)).padStart(2, '0')}`;
    default:
      return `WT${String(rng.int(1000, 9999)).padStart(5, '0')}${rng.chance(0.3) ? ' P' : ''}`;
  }
}

function longNotes(rng: Rng): string {
  const parts: string[] = [];
  let length = 0;
  while (length < 2_100 + rng.int(0, 800)) {
    const part = rng.pick([...shortNotes, ...unicodeNotes]);
    parts.push(part);
    length += part.length + 2;
  }
  return parts.join('; ');
}

function notes(rng: Rng, kind: NotesKind): string | null {
  if (kind === 'long') return longNotes(rng);
  if (kind === 'unicode') return rng.pick(unicodeNotes);
  return rng.chance(0.25) ? rng.pick(shortNotes) : null;
}

/** A window of 4–5 neighbouring sizes from one run, with quantities typical of a bulk order. */
export function drawSizes(rng: Rng): Map<string, number> {
  const run = sizeRuns[rng.weighted(sizeRuns.map((r) => r.weight))] ?? sizeRuns[0];
  if (!run) throw new Error('no size runs');
  const width = Math.min(run.sizes.length, rng.int(run.window[0], run.window[1]));
  const start = rng.int(0, run.sizes.length - width);
  const scale = rng.int(4, 120);
  const sizes = new Map<string, number>();
  for (const size of run.sizes.slice(start, start + width)) sizes.set(size, Math.max(1, Math.round(scale * (0.5 + rng.next()))));
  return sizes;
}

export function setSizes(row: StagingRow, sizes: ReadonlyMap<string, number>): void {
  let total = 0;
  for (const [size, qty] of sizes) {
    row[size] = qty;
    total += qty;
  }
  row['TOTAL QTY'] = total;
}

function optionalValue(rng: Rng, column: StagingColumn): string | number {
  if (column.type === 'decimal') return /RATE/.test(column.name) ? decimal4(rng.int(0, 3_500)) : price(rng, 0, 60);
  if (column.type === 'integer') return rng.int(2025, 2026);
  if (column.type === 'date') return isoDay(epochDay(2025, 1, 1) + rng.int(0, 600));
  if (/VALIDATION|Y\/N|∆/.test(column.name)) return rng.pick(['OK', 'Y', 'N', 'CHECK']);
  if (/Dec|PRICE|FEE|DISCOUNT|FREIGHT|DUTY|TARIFF|CIF|INSURANCE|DDP|RRP|MARGIN|PNP|EST|FX/i.test(column.name)) {
    return rng.chance(0.05) ? 'TBC' : (rng.int(0, 9_999) / 100).toFixed(2);
  }
  if (/PLANNER/.test(column.name)) return rng.pick(planners);
  return code(rng, column.name.replace(/[^A-Z]/g, '').slice(0, 2) || 'C', 4);
}

export function buildOrder(rng: Rng, columns: readonly StagingColumn[], spec: OrderSpec): StagingRow {
  const { customer } = spec;
  const row = emptyRow(columns);
  const season = rng.pick(customer.seasons);
  const [colourCode, colourName] = rng.pick(colours);
  const [destination, warehouse] = rng.pick(destinations);
  const exFactory = epochDay(season.year, season.shipMonth, 1) + rng.int(-20, 40);
  const received = exFactory - rng.int(60, 150);
  const fob = rng.int(500, 6_000);
  const dutyRate = rng.int(500, 3_200);

  Object.assign(row, {
    record_uuid: uuid(rng),
    [KEY_COLUMN]: spec.key,
    'CUSTOMER NAME': customer.name,
    SOURCE_CUSTOMER_NAME: customer.sourceName,
    'ORDER DATE PO RECEIVED': isoDay(received),
    'PO NUMBER': String(rng.int(1_000, 9_999)),
    'CUSTOMER ALT PO': rng.chance(0.4) ? code(rng, 'ALT', 6) : null,
    'AAG SEASON': season.aag,
    'CUSTOMER SEASON': season.customer,
    DROP: `DROP${String(rng.int(1, 4)).padStart(2, '0')}`,
    MONTH: monthNames[(season.shipMonth + 11) % 12] ?? null,
    'RANGE / COLLECTION': rng.pick(['CORE', 'FASHION', 'CAPSULE', 'ESSENTIALS']),
    'PROMO GROUP / CAMPAIGN (HOT 30/GLOBAL EDIT)': rng.chance(0.2) ? rng.pick(['HOT 30', 'GLOBAL EDIT']) : null,
    CATEGORY: rng.pick(categories),
    'PATTERN ID': code(rng, 'PT', 5),
    PLANNER: rng.pick(planners),
    'MAKE OR BUY': rng.pick(['MAKE', 'BUY']),
    'CUSTOMER STYLE': style(rng, customer, season),
    'STYLE DESCRIPTION': `${rng.pick(genders)} ${rng.pick(garments)}`,
    "CUSTOMER'S COLOUR CODE (CUSTOM FIELD) CUSTOMER PROVIDES THIS": customer.codedColours ? colourCode : null,
    'CUSTOMER COLOUR DESCRIPTION': customer.codedColours ? `${colourCode} - ${colourName}` : colourName,
    'UNIT OF MEASURE': 'PCS',
    DESTINATION: destination,
    'DESTINATION WAREHOUSE': warehouse,
    'ALLOCATION (CHANNEL)': rng.pick(channels),
    'ETA CUSTOMER WAREHOUSE DATE': isoDay(exFactory + rng.int(20, 45)),
    'EX FACTORY DATE': isoDay(exFactory),
    'DELIVERY TERMS': rng.pick(['DDP', 'FOB']),
    'PLANNED DELIVERY METHOD': rng.pick(deliveryMethods),
    // Own stream: long or unicode notes draw more numbers, which must not shift the fields after them.
    NOTES: notes(new Rng(rng.uint32()), spec.notes),
    'ORDER TYPE': spec.orderType,
    'CUSTOMER PRICE': decimal4(fob * 200 + rng.int(0, 9_999)),
    'EX WORKS (USD)': decimal4(fob * 90),
    'FINAL FOB (USD)': decimal4(fob * 100),
    'HS CODE': rng.pick(hsCodes),
    'US DUTY RATE': decimal4(dutyRate),
    'US DUTY': decimal4(Math.round((fob * 100 * dutyRate) / 10_000)),
    FREIGHT: decimal4(rng.int(20, 150) * 100),
    'DDP US (USD)': decimal4(fob * 100 + Math.round((fob * 100 * dutyRate) / 10_000) + 5_000),
    'COUNTRY OF ORIGIN': rng.pick(origins),
    _SOURCE_TABLE: `x${customer.name.replace(/[^\p{L}\p{N}]+/gu, '_')}_ORDER_LIST_RAW`,
  });
  for (const column of columns) {
    if (customer.optionalColumns.has(column.name)) row[column.name] = optionalValue(rng, column);
  }
  setSizes(row, drawSizes(rng));
  return row;
}
