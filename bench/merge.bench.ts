/**
 * Merge benchmark: `npm run bench:merge [-- --orders N] [-- --engines sqlite,postgres]`.
 *
 * Per engine (SQLite file; the PostgreSQL server, or PGlite when none answers), with N generated
 * orders (default 100k, the real order list's size): first load into empty tables, identical
 * re-merge, and a "next day" re-merge (5% of orders changed, plus the default cancellations,
 * reactivations, vanished and new orders). The floor is measured in the same run with the same
 * driver: a plain scan of the staging table (every column) and a bulk insert of as many order and
 * line rows as the first load wrote (rolled back). Prints a table; writes bench/out/merge.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { settingsSchema, type Settings } from '../src/config/schema.js';
import type { Db } from '../src/db/connect.js';
import { migrateUp } from '../src/db/migrations/index.js';
import { merge, type MergeSummary } from '../src/merge/index.js';
import { readStaging } from '../src/merge/staging-reader.js';
import { generateStaging, loadStaging, nextDay } from '../src/sampledata/index.js';
import { openBenchDb, rssSampler, timed } from './lib/engines.js';

const TARGETS = { firstLoadVsFloor: 2, identicalVsScan: 1.5, peakRssMb: 500 };

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const ORDERS = Number(arg('orders') ?? 100_000);
const ENGINES = (arg('engines') ?? 'sqlite,postgres').split(',') as Array<'sqlite' | 'postgres'>;
if (!Number.isInteger(ORDERS) || ORDERS < 1) throw new Error(`--orders expects a positive integer, got ${arg('orders')}`);

const MAPPED = [
  'AAG ORDER NUMBER', 'CUSTOMER NAME', 'PO NUMBER', 'CUSTOMER ALT PO', 'AAG SEASON', 'CUSTOMER SEASON', 'CUSTOMER STYLE',
  'STYLE DESCRIPTION', 'CUSTOMER COLOUR DESCRIPTION', 'ORDER DATE PO RECEIVED', 'DROP', 'CATEGORY', 'PLANNER',
  'EX FACTORY DATE', 'ETA CUSTOMER WAREHOUSE DATE', 'DESTINATION', 'DESTINATION WAREHOUSE', 'DELIVERY TERMS',
  'PLANNED DELIVERY METHOD', 'NOTES', 'ORDER TYPE', 'CUSTOMER PRICE', 'FINAL FOB (USD)', 'TOTAL QTY',
];

interface Phase {
  engine: string;
  phase: string;
  ms: number;
  ordersPerSec: number;
  rowsWritten: number;
  ratio: number | null;
  ratioTo: string | null;
  peakRssMb: number;
  counts?: MergeSummary['counts'];
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

/** A plain `select *` over staging, a batch at a time, with the same driver. */
async function scan(db: Db, table: string, columns: string[]): Promise<number> {
  let n = 0;
  for await (const batch of readStaging(db.raw, db.dialect, table, columns, 2_000)) n += batch.length;
  return n;
}

/** Bulk insert of `orders` order rows and `lines` line rows shaped like the merge's, then rolled back. */
async function bulkInsert(db: Db, orders: number, lines: number): Promise<void> {
  const now = new Date().toISOString();
  const fields = JSON.stringify(Object.fromEntries(MAPPED.map((c) => [c, `value of ${c}`])));
  const perOrder = Math.ceil(lines / Math.max(1, orders));
  let linesLeft = lines;
  const rollback = new Error('rollback');
  await db.kysely
    .transaction()
    .execute(async (trx) => {
      for (let i = 0; i < orders; i += 500) {
        const part = Array.from({ length: Math.min(500, orders - i) }, (_, j) => ({
          order_key: `FLOOR-${i + j}`,
          key_values: JSON.stringify([`FLOOR-${i + j}`]),
          customer: 'CUSTOMER',
          customer_season: '2025 FALL',
          aag_season: '25FA',
          order_type: 'RECEIVED',
          total_qty: 100,
          group_name: 'CUSTOMER 2025 FALL',
          item_name: `STYLE COLOUR FLOOR-${i + j}`,
          fields_json: fields,
          row_hash: 'f'.repeat(64),
          lines_hash: 'e'.repeat(64),
          is_cancelled: 0,
          in_staging: 1,
          action: 'INSERT' as const,
          sync_state: 'PENDING' as const,
          pending_since: now,
          staging_row: i + j,
          last_run_id: null,
          created_at: now,
          updated_at: now,
        }));
        const ids = await trx.insertInto('orders').values(part).returning('id').execute();
        const lineRows = ids.flatMap((r) =>
          Array.from({ length: Math.min(perOrder, Math.max(0, linesLeft)) }, (_, k) => {
            linesLeft--;
            return { order_id: r.id, size: `S${k}`, size_position: k, qty: 10, action: 'INSERT' as const, sync_state: 'PENDING' as const, created_at: now, updated_at: now };
          }),
        );
        for (let k = 0; k < lineRows.length; k += 1_000) await trx.insertInto('order_lines').values(lineRows.slice(k, k + 1_000)).execute();
      }
      throw rollback;
    })
    .catch((e: unknown) => {
      if (e !== rollback) throw e;
    });
}

async function runEngine(engine: 'sqlite' | 'postgres', out: Phase[]): Promise<void> {
  const b = await openBenchDb(engine);
  const { db } = b;
  const label = b.label;
  const rss = rssSampler();
  try {
    await migrateUp(db);
    const settings: Settings = settingsSchema.parse({ mapping: { columns: Object.fromEntries(MAPPED.map((c, i) => [c, `col_${i}`])) } });
    const table = settings.staging.table;
    const dialect = db.dialect === 'sqlite' ? 'sqlite' : 'postgres';
    const data = generateStaging({ seed: 1, orders: ORDERS });
    const load = await timed(() => loadStaging(db.raw, table, data.columns, data.rows, { dialect }));
    const staged = load.value.rows;
    process.stderr.write(`[${label}] staged ${staged} rows × ${data.columns.length} columns in ${(load.ms / 1000).toFixed(1)} s\n`);
    const columns = data.columns.map((c) => c.name);
    const record = (phase: string, ms: number, rowsWritten: number, ratio: number | null, ratioTo: string | null, counts?: MergeSummary['counts']) => {
      out.push({ engine: label, phase, ms: Math.round(ms), ordersPerSec: Math.round((staged / ms) * 1000), rowsWritten, ratio, ratioTo, peakRssMb: mb(rss.peak()), counts });
      process.stderr.write(`[${label}] ${phase}: ${(ms / 1000).toFixed(2)} s\n`);
    };

    // Floor, part 1: a plain scan (warm the cache first, as the merge will find it warm too).
    await scan(db, table, columns);
    rss.reset();
    const scanned = await timed(() => scan(db, table, columns));
    record('floor: scan staging (select *)', scanned.ms, 0, null, null);

    rss.reset();
    const first = await timed(() => merge(db, settings));
    const written = first.value.counts.rows_written;
    const ordersWritten = first.value.counts.new + first.value.counts.skipped_cancelled;
    const linesWritten = first.value.counts.lines_inserted;

    rss.reset();
    const inserted = await timed(() => bulkInsert(db, ordersWritten, linesWritten));
    record(`floor: bulk insert ${ordersWritten} orders + ${linesWritten} lines`, inserted.ms, 0, null, null);
    const floorMs = scanned.ms + inserted.ms;
    record('floor: scan + insert', floorMs, 0, null, null);
    record('merge: first load', first.ms, written, first.ms / floorMs, 'floor', first.value.counts);

    rss.reset();
    const again = await timed(() => merge(db, settings));
    record('merge: identical re-merge', again.ms, again.value.counts.rows_written, again.ms / scanned.ms, 'scan', again.value.counts);

    const next = nextDay(data.rows, { seed: 2, changeShare: 0.05 });
    await loadStaging(db.raw, table, data.columns, next.rows, { dialect, replace: true });
    const changes = next.summary().counts;
    process.stderr.write(`[${label}] next day: ${JSON.stringify(changes)}\n`);
    rss.reset();
    const day2 = await timed(() => merge(db, settings));
    record('merge: next day (5% changed)', day2.ms, day2.value.counts.rows_written, day2.ms / floorMs, 'floor', day2.value.counts);
  } finally {
    rss.stop();
    await b.cleanup();
  }
}

const results: Phase[] = [];
for (const engine of ENGINES) await runEngine(engine, results);

const header = ['engine', 'phase', 'seconds', 'orders/s', 'rows written', 'ratio', 'peak RSS MB'];
const body = results.map((r) => [
  r.engine,
  r.phase,
  (r.ms / 1000).toFixed(2),
  r.phase.startsWith('floor') ? '' : String(r.ordersPerSec),
  r.phase.startsWith('floor') ? '' : String(r.rowsWritten),
  r.ratio === null ? '' : `${r.ratio.toFixed(2)}× ${r.ratioTo}`,
  String(r.peakRssMb),
]);
const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
console.log(`\nmerge benchmark, ${ORDERS} orders (${new Date().toISOString()}, node ${process.version})\n`);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of body) console.log(line(row));

const verdicts = results.flatMap((r) => {
  const v: string[] = [];
  if (r.phase === 'merge: first load' && (r.ratio ?? 0) > TARGETS.firstLoadVsFloor) v.push(`${r.engine}: first load ${r.ratio?.toFixed(2)}× floor > ${TARGETS.firstLoadVsFloor}×`);
  if (r.phase === 'merge: identical re-merge' && r.rowsWritten !== 0) v.push(`${r.engine}: identical re-merge wrote ${r.rowsWritten} rows`);
  if (r.phase === 'merge: identical re-merge' && (r.ratio ?? 0) > TARGETS.identicalVsScan) v.push(`${r.engine}: identical re-merge ${r.ratio?.toFixed(2)}× scan > ${TARGETS.identicalVsScan}×`);
  if (r.peakRssMb > TARGETS.peakRssMb) v.push(`${r.engine}: ${r.phase} peak RSS ${r.peakRssMb} MB > ${TARGETS.peakRssMb} MB`);
  return v;
});
console.log(verdicts.length ? `\ntargets missed:\n  ${verdicts.join('\n  ')}` : '\nall targets met');

const outFile = join(dirname(fileURLToPath(import.meta.url)), 'out', 'merge.json');
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, `${JSON.stringify({ orders: ORDERS, node: process.version, at: new Date().toISOString(), targets: TARGETS, results, missed: verdicts }, null, 2)}\n`);
console.log(`\nwritten ${outFile}`);
