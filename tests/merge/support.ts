import type { Kysely } from 'kysely';
import { settingsSchema, type Settings } from '../../src/config/schema.js';
import type { Db } from '../../src/db/connect.js';

/** A staging column name that would break any query splicing identifiers into SQL text. */
export const INJECT = '"; drop table orders; --';

/** Physical names with quotes and spaces: every query must go through the table-name plugin and quoting. */
export const TABLES = settingsSchema.parse({
  database: { tables: { orders: 'Orders "main"', order_lines: "order lines 'x'", migrations: 'os_migrations' } },
}).database.tables;

export const STAGING = 'stg "order" list';

export const SIZES = ['XS', 'S', 'M', 'L', 'XL'] as const;

/** Physical order: business columns, the start marker, sizes, the end marker, more business columns. */
export const COLUMNS = [
  'AAG ORDER NUMBER',
  'CUSTOMER NAME',
  'CUSTOMER SEASON',
  'AAG SEASON',
  'CUSTOMER STYLE',
  'CUSTOMER COLOUR DESCRIPTION',
  'PO NUMBER',
  'UNIT OF MEASURE',
  ...SIZES,
  'TOTAL QTY',
  'ORDER TYPE',
  'NOTES',
  INJECT,
];

export type Cell = string | number | null;
export type StagedRow = Record<string, Cell>;

export const MAPPING: Record<string, string> = {
  'AAG ORDER NUMBER': 'text_key',
  'CUSTOMER NAME': 'text_customer',
  'PO NUMBER': 'text_po',
  'ORDER TYPE': 'dropdown_type',
  NOTES: 'long_text_notes',
  [INJECT]: 'text_inject',
};

export interface SettingsOverrides {
  staging?: Record<string, unknown>;
  mapping?: Record<string, unknown>;
  cancel?: Record<string, unknown>;
}

export function settings(over: SettingsOverrides = {}): Settings {
  return settingsSchema.parse({
    database: { tables: TABLES },
    staging: { table: STAGING, ...over.staging },
    mapping: { columns: MAPPING, ...over.mapping },
    cancel: { ...over.cancel },
  });
}

/** One staged order: sizes given as { S: 10 } (missing sizes are NULL), header fields overridable. */
export function order(key: string | null, sizes: Partial<Record<string, Cell>>, fields: StagedRow = {}): StagedRow {
  const row: StagedRow = {
    'AAG ORDER NUMBER': key,
    'CUSTOMER NAME': 'GREYSON',
    'CUSTOMER SEASON': '2025 FALL',
    'AAG SEASON': '25FA',
    'CUSTOMER STYLE': 'STY-1',
    'CUSTOMER COLOUR DESCRIPTION': 'NAVY',
    'PO NUMBER': `PO-${key ?? 'none'}`,
    'UNIT OF MEASURE': 'EA',
    'ORDER TYPE': 'RECEIVED',
    NOTES: null,
    [INJECT]: 'harmless',
  };
  let total = 0;
  for (const [size, qty] of Object.entries(sizes)) {
    row[size] = qty ?? null;
    if (typeof qty === 'number') total += qty;
  }
  row['TOTAL QTY'] = total;
  return { ...row, ...fields };
}

export const blankRow = (columns: readonly string[] = COLUMNS): StagedRow => Object.fromEntries(columns.map((c) => [c, null]));

/**
 * (Re)creates the staging table, every column text as `ordersync ingest` creates it, in the
 * given physical order, and loads the rows in order (row N of the list is staging row N).
 */
export async function stage(raw: Kysely<any>, rows: StagedRow[], columns: readonly string[] = COLUMNS, table = STAGING): Promise<void> {
  await raw.schema.dropTable(table).ifExists().execute();
  let create = raw.schema.createTable(table);
  for (const c of columns) create = create.addColumn(c, 'text');
  await create.execute();
  const records = rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] === undefined || r[c] === null ? null : String(r[c])])));
  for (let i = 0; i < records.length; i += 200) await raw.insertInto(table).values(records.slice(i, i + 200)).execute();
}

export async function clearOrders(db: Db): Promise<void> {
  await db.kysely.deleteFrom('order_lines').execute();
  await db.kysely.deleteFrom('orders').execute();
}

/** Every column of both tables, ordered, so two dumps compare equal only when nothing was written. */
export async function dumpTables(db: Db): Promise<{ orders: unknown[]; lines: unknown[] }> {
  const orders = await db.kysely.selectFrom('orders').selectAll().orderBy('id').execute();
  const lines = await db.kysely.selectFrom('order_lines').selectAll().orderBy('id').execute();
  return { orders, lines };
}

export interface LineView {
  qty: number;
  action: string;
  sync_state: string;
  monday_subitem_id: string | null;
}

export interface OrderView {
  action: string;
  sync_state: string;
  monday_item_id: string | null;
  is_cancelled: number;
  in_staging: number;
  total_qty: number;
  retry_count: number;
  fields: Record<string, unknown>;
  lines: Record<string, LineView>;
}

/** The orders and lines by key and size, as the assertions read them. */
export async function view(db: Db): Promise<Record<string, OrderView>> {
  const orders = await db.kysely.selectFrom('orders').selectAll().execute();
  const lines = await db.kysely.selectFrom('order_lines').selectAll().execute();
  const out: Record<string, OrderView> = {};
  for (const o of orders) {
    const mine = lines.filter((l) => l.order_id === o.id);
    out[o.order_key] = {
      action: o.action,
      sync_state: o.sync_state,
      monday_item_id: o.monday_item_id,
      is_cancelled: Number(o.is_cancelled),
      in_staging: Number(o.in_staging),
      total_qty: Number(o.total_qty),
      retry_count: Number(o.retry_count),
      fields: JSON.parse(o.fields_json) as Record<string, unknown>,
      lines: Object.fromEntries(
        mine.map((l) => [l.size, { qty: Number(l.qty), action: l.action, sync_state: l.sync_state, monday_subitem_id: l.monday_subitem_id }]),
      ),
    };
  }
  return out;
}

/** What the sync does on success, by hand: ids written back, state SYNCED, action done. */
export async function markSynced(db: Db, key: string): Promise<void> {
  const o = await db.kysely.selectFrom('orders').select(['id']).where('order_key', '=', key).executeTakeFirstOrThrow();
  await db.kysely
    .updateTable('orders')
    .set({ monday_item_id: `item-${o.id}`, sync_state: 'SYNCED', action: 'NONE', pending_since: null })
    .where('id', '=', o.id)
    .execute();
  const lines = await db.kysely.selectFrom('order_lines').select(['id', 'qty']).where('order_id', '=', o.id).execute();
  for (const l of lines) {
    await db.kysely
      .updateTable('order_lines')
      .set({ monday_subitem_id: `sub-${l.id}`, sync_state: 'SYNCED', action: 'NONE', synced_qty: l.qty })
      .where('id', '=', l.id)
      .execute();
  }
}
