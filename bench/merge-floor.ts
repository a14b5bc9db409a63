/**
 * The merge benchmark's physical floor: what the merge does, for the benchmark's one
 * configuration, written as plainly as the driver allows and sharing no code with ordersync.
 * Staging is read as arrays (only the columns the merge needs, keyset batches), each row is
 * encoded as canonical JSON and hashed with SHA-256, compared with the stored hashes, and the
 * same orders and lines are written with statements prepared once (better-sqlite3) or one
 * unnest statement per batch (pg), in one transaction. The benchmark checks that what the floor
 * leaves in the tables equals what the merge leaves (bench/merge.bench.ts, `digest`).
 */
import { hash } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';

export interface FloorConfig {
  table: string;
  /** Staging columns in physical order. */
  columns: readonly string[];
  /** Staging column → items-board column id. */
  mapped: Readonly<Record<string, string>>;
  orders: string;
  lines: string;
}

/** Order on record: id, key, row_hash, lines_hash, in_staging, sync_state, monday_item_id, pending_since. */
type Stored = [number, string, string, string, number, string, string | null, string | null];
/** Line on record: id, order_id, size, qty, sync_state, monday_subitem_id. */
type StoredLine = [number, number, string, number, string, string | null];

/** The driver calls the floor makes; rows are arrays in the column order given. */
export interface FloorIo {
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** The next batch: rows after `after` (the last row's final entry; undefined for the first batch). PostgreSQL reads through a cursor, inside a transaction. */
  read(columns: readonly string[], after: unknown, limit: number): Promise<unknown[][]>;
  lookup(keys: string[]): Promise<Stored[]>;
  linesOf(ids: number[]): Promise<StoredLine[]>;
  /** Orders as arrays in ORDER_WRITE order, plus created_at; returns their ids in order. */
  insertOrders(rows: unknown[][]): Promise<number[]>;
  /** [id, …ORDER_WRITE, resetRetry]. */
  updateOrders(rows: unknown[][]): Promise<void>;
  insertLines(rows: unknown[][]): Promise<void>;
  /** [id, qty, action, sync_state, updated_at]. */
  updateLines(rows: unknown[][]): Promise<void>;
  deleteLines(ids: number[]): Promise<void>;
  inStaging(): Promise<Array<[number, string]>>;
  vanish(ids: number[], now: string): Promise<void>;
  /** A plain query, rows as arrays (the benchmark's raw scan and digests). */
  all(text: string): Promise<unknown[][]>;
  /** Empties orders and lines, and compacts the file (SQLite) or the tables (PostgreSQL's truncate). */
  clear(): Promise<void>;
  close(): Promise<void>;
}

const ORDER_WRITE = [
  'order_key', 'key_values', 'customer', 'customer_season', 'aag_season', 'order_type', 'total_qty', 'group_name', 'item_name', 'fields_json',
  'row_hash', 'lines_hash', 'is_cancelled', 'in_staging', 'action', 'sync_state', 'pending_since', 'staging_row', 'last_run_id', 'updated_at',
];
const LINE_WRITE = ['order_id', 'size', 'size_position', 'qty', 'action', 'sync_state', 'created_at', 'updated_at'];
const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
const STORED = 'id, order_key, row_hash, lines_hash, in_staging, sync_state, monday_item_id, pending_since';
const STORED_LINE = 'id, order_id, size, qty, sync_state, monday_subitem_id';

export function sqliteFloorIo(path: string, c: FloorConfig): FloorIo {
  // The pragmas src/db/dialects/sqlite.ts sets.
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  const marks = (n: number) => Array(n).fill('?').join(',');
  const reads = new Map<string, Database.Statement>();
  const prepared = (text: string) => reads.get(text) ?? reads.set(text, db.prepare(text)).get(text)!;
  const insertOrder = db.prepare(`insert into ${q(c.orders)} (${ORDER_WRITE.map(q).join(',')}, created_at) values (${marks(ORDER_WRITE.length + 1)})`);
  const updateOrder = db.prepare(`update ${q(c.orders)} set ${ORDER_WRITE.map((n) => `${q(n)} = ?`).join(',')}, retry_count = case when ? then 0 else retry_count end where id = ?`);
  const insertLine = db.prepare(`insert into ${q(c.lines)} (${LINE_WRITE.map(q).join(',')}) values (${marks(LINE_WRITE.length)})`);
  const updateLine = db.prepare(`update ${q(c.lines)} set qty = ?, "action" = ?, sync_state = ?, retry_count = 0, updated_at = ? where id = ?`);
  const deleteLine = db.prepare(`delete from ${q(c.lines)} where id = ?`);
  const vanish = db.prepare(`update ${q(c.orders)} set in_staging = 0, updated_at = ? where id = ?`);
  const chunked = <T>(text: (m: string) => string, values: unknown[]): T[] => {
    const out: T[] = [];
    for (let i = 0; i < values.length; i += 500) {
      const part = values.slice(i, i + 500);
      out.push(...(prepared(text(marks(part.length))).raw(true).all(part) as T[]));
    }
    return out;
  };
  return {
    async begin() {
      db.exec('begin');
    },
    async commit() {
      db.exec('commit');
    },
    async rollback() {
      db.exec('rollback');
    },
    async read(columns, after, limit) {
      return prepared(`select ${columns.map(q).join(',')}, rowid from ${q(c.table)} where rowid > ? order by rowid limit ?`).raw(true).all(after ?? 0, limit) as unknown[][];
    },
    async lookup(keys) {
      return chunked<Stored>((m) => `select ${STORED} from ${q(c.orders)} where order_key in (${m})`, keys);
    },
    async linesOf(ids) {
      return chunked<StoredLine>((m) => `select ${STORED_LINE} from ${q(c.lines)} where order_id in (${m})`, ids);
    },
    async insertOrders(rows) {
      return rows.map((r) => Number(insertOrder.run(r).lastInsertRowid));
    },
    async updateOrders(rows) {
      for (const [id, ...rest] of rows) {
        const reset = rest.pop();
        updateOrder.run(...rest, reset ? 1 : 0, id);
      }
    },
    async insertLines(rows) {
      for (const r of rows) insertLine.run(r);
    },
    async updateLines(rows) {
      for (const [id, qty, action, state, at] of rows) updateLine.run(qty, action, state, at, id);
    },
    async deleteLines(ids) {
      for (const id of ids) deleteLine.run(id);
    },
    async inStaging() {
      return prepared(`select id, order_key from ${q(c.orders)} where in_staging = 1`).raw(true).all() as Array<[number, string]>;
    },
    async vanish(ids, now) {
      for (const id of ids) vanish.run(now, id);
    },
    async all(text) {
      return db.prepare(text).raw(true).all() as unknown[][];
    },
    async clear() {
      db.exec(`delete from ${q(c.lines)}; delete from ${q(c.orders)}; vacuum`);
    },
    async close() {
      db.close();
    },
  };
}

export async function pgFloorIo(url: string, c: FloorConfig): Promise<FloorIo> {
  // The values ordersync's pool returns (src/db/dialects/postgres.ts): numbers for BIGINT and
  // NUMERIC, dates and timestamps as the text stored.
  const asIs = (v: string) => v;
  const parsers: Record<number, (v: string) => unknown> = { 20: Number, 1700: Number, 1082: asIs, 1114: asIs, 1184: asIs };
  const client = new pg.Client({
    connectionString: url,
    types: { getTypeParser: ((oid: number, format?: string) => parsers[oid] ?? pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser },
  });
  await client.connect();
  const arrays = async (text: string, values: unknown[]) => (await client.query({ text, values, rowMode: 'array' })).rows as unknown[][];
  const ints = new Set(['id', 'total_qty', 'is_cancelled', 'in_staging', 'staging_row', 'last_run_id', 'order_id', 'size_position', 'qty']);
  const types = (names: string[]) => names.map((n, i) => `$${i + 1}::${ints.has(n) ? 'int' : 'text'}[]`).join(',');
  const transpose = (rows: unknown[][], width: number) => Array.from({ length: width }, (_, i) => rows.map((r) => r[i]));
  let cursor: { key: string; name: string } | undefined;
  let cursors = 0;
  const inParts = async (rows: unknown[][], run: (part: unknown[][]) => Promise<void>) => {
    for (let i = 0; i < rows.length; i += 5_000) await run(rows.slice(i, i + 5_000));
  };
  return {
    async begin() {
      await client.query('begin isolation level repeatable read');
    },
    async commit() {
      await client.query('commit');
      cursor = undefined;
    },
    async rollback() {
      await client.query('rollback');
      cursor = undefined;
    },
    async read(columns, after, limit) {
      // One scan through a cursor, as the merge reads (a keyset query per batch re-sorts the rest
      // of the table each time); physical order, from the first block.
      const key = columns.join('\u0000');
      if (after === undefined || cursor?.key !== key) {
        if (cursor) await client.query(`close ${cursor.name}`);
        cursor = { key, name: `floor_${++cursors}` };
        await client.query('set local synchronize_seqscans = off');
        await client.query(`declare ${cursor.name} no scroll cursor for select ${columns.map(q).join(',')}, 0 from ${q(c.table)}`);
      }
      return arrays(`fetch forward ${Math.trunc(limit)} from ${cursor.name}`, []);
    },
    async lookup(keys) {
      return (await arrays(`select ${STORED} from ${q(c.orders)} where order_key = any($1::text[])`, [keys])) as Stored[];
    },
    async linesOf(ids) {
      return (await arrays(`select ${STORED_LINE} from ${q(c.lines)} where order_id = any($1::int[])`, [ids])) as StoredLine[];
    },
    async insertOrders(rows) {
      const ids = new Map<string, number>();
      const names = [...ORDER_WRITE, 'created_at'];
      await inParts(rows, async (part) => {
        const out = await arrays(`insert into ${q(c.orders)} (${names.map(q).join(',')}) select * from unnest(${types(names)}) returning order_key, id`, transpose(part, names.length));
        for (const [key, id] of out) ids.set(key as string, id as number);
      });
      return rows.map((r) => ids.get(r[0] as string) as number);
    },
    async updateOrders(rows) {
      const names = ['id', ...ORDER_WRITE];
      const text =
        `update ${q(c.orders)} o set ${ORDER_WRITE.map((n) => `${q(n)} = v.${q(n)}`).join(',')}, retry_count = case when v.reset then 0 else o.retry_count end ` +
        `from unnest(${types(names)}, $${names.length + 1}::boolean[]) as v(${names.map(q).join(',')}, reset) where o.id = v.id`;
      await inParts(rows, async (part) => void (await client.query(text, transpose(part, names.length + 1))));
    },
    async insertLines(rows) {
      await inParts(rows, async (part) => void (await client.query(`insert into ${q(c.lines)} (${LINE_WRITE.map(q).join(',')}) select * from unnest(${types(LINE_WRITE)})`, transpose(part, LINE_WRITE.length))));
    },
    async updateLines(rows) {
      const text = `update ${q(c.lines)} l set qty = v.qty, "action" = v.a, sync_state = v.s, retry_count = 0, updated_at = v.t from unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[]) as v(id, qty, a, s, t) where l.id = v.id`;
      await inParts(rows, async (part) => void (await client.query(text, transpose(part, 5))));
    },
    async deleteLines(ids) {
      if (ids.length) await client.query(`delete from ${q(c.lines)} where id = any($1::int[])`, [ids]);
    },
    async inStaging() {
      return (await arrays(`select id, order_key from ${q(c.orders)} where in_staging = 1`, [])) as Array<[number, string]>;
    },
    async vanish(ids, now) {
      if (ids.length) await client.query(`update ${q(c.orders)} set in_staging = 0, updated_at = $2 where id = any($1::int[])`, [ids, now]);
    },
    async all(text) {
      return arrays(text, []);
    },
    async clear() {
      await client.query(`truncate ${q(c.lines)}, ${q(c.orders)}`);
    },
    async close() {
      await client.end();
    },
  };
}

export interface FloorResult {
  rows: number;
  written: number;
  unchanged: number;
}

const sha = (text: string) => hash('sha256', text, 'hex');
const norm = (v: unknown): string | number | null => {
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? null : t;
  }
  return v as number | null;
};

/**
 * One merge of staging into the tables, for the benchmark's configuration only (one key column,
 * duplicate_policy "error", vanished_policy "leave", never_synced "skip", default name rules,
 * no transforms, no board formatter, orders never synced).
 */
export async function floorMerge(io: FloorIo, c: FloorConfig, opts: { batchSize: number; commit: boolean }): Promise<FloorResult> {
  const now = new Date().toISOString();
  const col = (name: string) => c.columns.indexOf(name);
  const sizeFrom = col('UNIT OF MEASURE') + 1;
  const sizeTo = col('TOTAL QTY');
  const wanted = new Set([
    'AAG ORDER NUMBER', 'ORDER TYPE', 'CUSTOMER NAME', 'CUSTOMER SEASON', 'AAG SEASON', 'CUSTOMER STYLE', 'CUSTOMER COLOUR DESCRIPTION',
    ...Object.keys(c.mapped), ...c.columns.slice(sizeFrom, sizeTo),
  ]);
  const read = c.columns.filter((n) => wanted.has(n));
  const at = (name: string) => read.indexOf(name);
  const [KEY, TYPE, CUST, CSEASON, ASEASON, STYLE, COLOUR] = ['AAG ORDER NUMBER', 'ORDER TYPE', 'CUSTOMER NAME', 'CUSTOMER SEASON', 'AAG SEASON', 'CUSTOMER STYLE', 'CUSTOMER COLOUR DESCRIPTION'].map(at) as number[];
  const sizes = c.columns.slice(sizeFrom, sizeTo).map((s, position) => ({ s, position, i: at(s), json: JSON.stringify(s) }));
  const fields = Object.keys(c.mapped).map((n) => ({ i: at(n), json: JSON.stringify(n) }));
  const hashed = Object.entries(c.mapped)
    .map(([, id], k) => ({ k, id }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((h) => ({ k: h.k, json: `${JSON.stringify(h.id)}:` }));

  await io.begin();
  // Keys first: a key on several rows is skipped (duplicate_policy "error").
  const count = new Map<string, number>();
  for (let after: unknown = undefined; ; ) {
    const rows = await io.read(['AAG ORDER NUMBER'], after, opts.batchSize * 5);
    for (const r of rows) {
      const k = norm(r[0]);
      if (k !== null) count.set(String(k), (count.get(String(k)) ?? 0) + 1);
    }
    if (rows.length < opts.batchSize * 5) break;
    after = rows[rows.length - 1]?.[1];
  }

  const result: FloorResult = { rows: 0, written: 0, unchanged: 0 };
  let rowNumber = 0;
  for (let after: unknown = undefined; ; ) {
    const rows = await io.read(read, after, opts.batchSize);
    const batch: Batch = [];
    for (const r of rows) {
      rowNumber++;
      const k = norm(r[KEY as number]);
      if (k === null || count.get(String(k)) !== 1) continue;
      const key = String(k);
      const lines: Array<[string, number, number]> = [];
      let linesJson = '';
      let total = 0;
      let bad = false;
      for (const z of sizes) {
        const v = r[z.i];
        if (v === null || v === '') continue;
        const n = typeof v === 'number' ? v : Number(String(v).trim());
        if (!Number.isInteger(n) || n < 0) bad = true;
        else if (n > 0) {
          lines.push([z.s, z.position, n]);
          total += n;
          linesJson += `${linesJson ? ',' : ''}[${z.json},${n}]`;
        }
      }
      if (bad) continue;
      const type = norm(r[TYPE as number]);
      const cancelled = type !== null && String(type).toLowerCase() === 'cancelled';
      const cust = norm(r[CUST as number]);
      const cs = norm(r[CSEASON as number]);
      const as = norm(r[ASEASON as number]);
      const group = cust !== null && cs !== null ? `${cust} ${cs}` : cust !== null && as !== null ? `${cust} ${as}` : 'UNASSIGNED';
      const style = norm(r[STYLE as number]);
      const colour = norm(r[COLOUR as number]);
      const name = (style !== null && colour !== null ? `${style} ${colour} ${key}` : key).replace(/\s+/gu, ' ').trim() || 'ORDER';
      const values = fields.map((f) => JSON.stringify(norm(r[f.i])));
      let columns = '';
      for (const h of hashed) columns += `${columns ? ',' : ''}${h.json}${values[h.k]}`;
      const rowHash = sha(`{"cancelled":${cancelled},"columns":{${columns}},"group":${JSON.stringify(group)},"name":${JSON.stringify(name)},"v":2}`);
      const text = (v: string | number | null) => (v === null ? null : String(v));
      const n = rowNumber;
      // The row as written, built only for an order that is written.
      const order = () => {
        let fieldsJson = '';
        fields.forEach((f, k) => (fieldsJson += `${k ? ',' : ''}${f.json}:${values[k]}`));
        return [key, JSON.stringify([key]), text(cust), text(cs), text(as), text(type), total, group, name, `{${fieldsJson}}`, rowHash, linesHash, cancelled ? 1 : 0, 1, cancelled ? 'NONE' : 'INSERT', cancelled ? 'SKIPPED' : 'PENDING', cancelled ? null : now, n, null, now];
      };
      const linesHash = sha(`[${linesJson}]`);
      batch.push({ key, cancelled, lines, rowHash, linesHash, order });
    }
    result.rows += rows.length;
    await writeBatch(io, batch, now, result);
    if (rows.length < opts.batchSize) break;
    after = rows[rows.length - 1]?.[read.length];
  }

  const gone = (await io.inStaging()).filter(([, key]) => !count.has(key)).map(([id]) => id);
  await io.vanish(gone, now);
  result.written += gone.length;
  if (opts.commit) await io.commit();
  return result;
}

type Batch = Array<{ key: string; rowHash: string; linesHash: string; order: () => unknown[]; lines: Array<[string, number, number]>; cancelled: boolean }>;

async function writeBatch(
  io: FloorIo,
  batch: Batch,
  now: string,
  result: FloorResult,
): Promise<void> {
  const stored = new Map((await io.lookup(batch.map((b) => b.key))).map((s) => [s[1], s]));
  const fresh = batch.filter((b) => !stored.has(b.key));
  const changed = batch.filter((b) => {
    const s = stored.get(b.key);
    return s !== undefined && !(s[2] === b.rowHash && s[3] === b.linesHash && s[4] === 1);
  });
  result.unchanged += batch.length - fresh.length - changed.length;
  const ids = await io.insertOrders(fresh.map((b) => [...b.order(), now]));
  const lines: unknown[][] = [];
  fresh.forEach((b, i) => {
    for (const [size, position, qty] of b.lines) lines.push([ids[i], size, position, qty, 'INSERT', b.cancelled ? 'SKIPPED' : 'PENDING', now, now]);
  });

  const updates: unknown[][] = [];
  const lineUpdates: unknown[][] = [];
  const deletes: number[] = [];
  const onRecord = new Map<number, StoredLine[]>();
  for (const l of await io.linesOf(changed.map((b) => (stored.get(b.key) as Stored)[0]))) onRecord.set(l[1], [...(onRecord.get(l[1]) ?? []), l]);
  for (const b of changed) {
    const [id, , , , , was, itemId, pendingSince] = stored.get(b.key) as Stored;
    if (itemId !== null) throw new Error(`floor: ${b.key} was synced; the floor handles never-synced orders only`);
    const skipped = b.cancelled && was !== 'IN_FLIGHT';
    const state = skipped ? 'SKIPPED' : was === 'IN_FLIGHT' ? 'IN_FLIGHT' : 'PENDING';
    const order = b.order();
    order[14] = skipped ? 'NONE' : 'INSERT';
    order[15] = state;
    order[16] = state === 'PENDING' && was !== 'PENDING' ? now : pendingSince;
    updates.push([id, ...order, state === 'PENDING']);
    const bySize = new Map((onRecord.get(id) ?? []).map((l) => [l[2], l]));
    const stagedSizes = new Set(b.lines.map((l) => l[0]));
    for (const [size, position, qty] of b.lines) {
      const ex = bySize.get(size);
      if (!ex) lines.push([id, size, position, qty, 'INSERT', skipped ? 'SKIPPED' : 'PENDING', now, now]);
      else if (ex[3] !== qty) lineUpdates.push([ex[0], qty, 'INSERT', skipped ? 'SKIPPED' : ex[4] === 'IN_FLIGHT' ? 'IN_FLIGHT' : 'PENDING', now]);
      else if (skipped && ex[4] !== 'SKIPPED') lineUpdates.push([ex[0], qty, 'NONE', 'SKIPPED', now]);
      else if (!skipped && ex[4] === 'SKIPPED') lineUpdates.push([ex[0], qty, 'INSERT', 'PENDING', now]);
    }
    for (const ex of onRecord.get(id) ?? []) {
      if (stagedSizes.has(ex[2]) || ex[3] === 0) continue;
      if (ex[4] !== 'IN_FLIGHT') deletes.push(ex[0]);
      else lineUpdates.push([ex[0], 0, 'DELETE', skipped ? 'SKIPPED' : 'IN_FLIGHT', now]);
    }
  }
  await io.updateOrders(updates);
  await io.updateLines(lineUpdates);
  await io.deleteLines(deletes);
  await io.insertLines(lines);
  result.written += ids.length + updates.length + lineUpdates.length + deletes.length + lines.length;
}

/**
 * What a merge leaves in orders and order_lines: every column it writes except ids and
 * timestamps (pending_since only as set or not), one entry per row, in key order.
 */
export async function digest(io: FloorIo, c: FloorConfig): Promise<string[]> {
  const orders = await io.all(
    `select order_key, key_values, customer, customer_season, aag_season, order_type, total_qty, group_name, item_name, fields_json, row_hash, lines_hash,
       is_cancelled, in_staging, "action", sync_state, staging_row, retry_count, case when pending_since is null then 0 else 1 end
     from ${q(c.orders)} order by order_key`,
  );
  const lines = await io.all(
    `select o.order_key, l.size, l.size_position, l.qty, l."action", l.sync_state from ${q(c.lines)} l join ${q(c.orders)} o on o.id = l.order_id order by o.order_key, l.size`,
  );
  return [...orders.map((r) => `order ${String(r[0])} ${sha(JSON.stringify(r))}`), ...lines.map((r) => `line ${String(r[0])} ${String(r[1])} ${sha(JSON.stringify(r))}`)];
}

