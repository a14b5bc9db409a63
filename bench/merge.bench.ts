/**
 * Merge benchmark: `npm run bench:merge [-- --orders N | --sizes N,N,…] [-- --engines sqlite,postgres] [-- --no-cli]`.
 *
 * Per engine (SQLite file; the PostgreSQL server, or PGlite when none answers), with N generated
 * orders (default 100k, the real order list's size), on one staging table: the first load into
 * empty tables, an identical re-merge and a "next day" (5% of orders changed, plus the default
 * cancellations, reactivations, vanished and new orders), each against the physical floor of the
 * same work measured in the same run (bench/merge-floor.ts: the plain driver, arrays, statements
 * prepared once, one transaction), plus a raw `select *` scan. What the floor leaves in the tables
 * must equal what the merge leaves (every column the merge writes but ids and timestamps, every
 * line), or the benchmark fails. On SQLite, `ordersync merge` itself (the built CLI, `dist/`)
 * then runs the first load again in a child process for its peak RSS.
 * With `--sizes` (e.g. 10000,30000,100000,300000) all of that runs once per size, and a linearity
 * table follows: per engine and phase, the cost per 1,000 staged rows at each size (wall and CPU
 * time), and whether every size is within ±10% of their mean.
 * Prints a table (with the load average before and after each size); writes bench/out/merge.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { settingsSchema, type Settings } from '../src/config/schema.js';
import { migrateUp } from '../src/db/migrations/index.js';
import type { MergeSummary } from '../src/merge/index.js';
import { generateStaging, loadStaging, nextDay } from '../src/sampledata/index.js';
import { openBenchDb, timed } from './lib/engines.js';
import { digest, pgFloorIo, sqliteFloorIo, type FloorConfig, type FloorIo } from './merge-floor.js';
import type { PhaseRequest } from './merge-phase.js';

const TARGETS = { firstLoad: 1.3, reMerge: 1.5, nextDay: 1.5, firstLoadPg: 1.5, reMergePg: 1.5, cliPeakRssMb: 300 };

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const SIZES = (arg('sizes') ?? arg('orders') ?? '100000').split(',').map(Number);
const ENGINES = (arg('engines') ?? 'sqlite,postgres').split(',') as Array<'sqlite' | 'postgres'>;
const CLI = !process.argv.includes('--no-cli');
if (!SIZES.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`--orders / --sizes expect positive integers, got ${arg('sizes') ?? arg('orders')}`);
/** Per-1k cost at every size within this share of the sizes' mean: linear. */
const LINEAR_WITHIN = 0.1;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const MAPPED = [
  'AAG ORDER NUMBER', 'CUSTOMER NAME', 'PO NUMBER', 'CUSTOMER ALT PO', 'AAG SEASON', 'CUSTOMER SEASON', 'CUSTOMER STYLE',
  'STYLE DESCRIPTION', 'CUSTOMER COLOUR DESCRIPTION', 'ORDER DATE PO RECEIVED', 'DROP', 'CATEGORY', 'PLANNER',
  'EX FACTORY DATE', 'ETA CUSTOMER WAREHOUSE DATE', 'DESTINATION', 'DESTINATION WAREHOUSE', 'DELIVERY TERMS',
  'PLANNED DELIVERY METHOD', 'NOTES', 'ORDER TYPE', 'CUSTOMER PRICE', 'FINAL FOB (USD)', 'TOTAL QTY',
];
const MAPPING = Object.fromEntries(MAPPED.map((c, i) => [c, `col_${i}`]));

interface Phase {
  engine: string;
  /** Orders generated for this run (--orders, or one of --sizes). */
  orders: number;
  phase: string;
  ms: number;
  /** Milliseconds per 1,000 staged rows (the linearity check compares it across sizes). */
  msPer1k: number;
  /** CPU time of the phase's own process (user + system), and per 1,000 staged rows: steadier than wall time on a busy machine; a server's own CPU is not in it. */
  cpuMs: number;
  cpuMsPer1k: number;
  rowsWritten: number;
  ratio: number | null;
  ratioTo: string | null;
  peakRssMb: number;
  counts?: MergeSummary['counts'];
}


interface PhaseResult {
  ms: number;
  cpuMs: number;
  peakRssMb: number;
  written: number;
  counts?: MergeSummary['counts'];
}

/** A timed phase in a child process of its own (bench/merge-phase.ts), for its own peak RSS. */
function phase(req: PhaseRequest): PhaseResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'merge-phase.ts'), JSON.stringify(req)], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${req.kind} phase exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as PhaseResult;
}

const per1k = (ms: number, rows: number) => Math.round((ms / rows) * 10_000) / 10;

function sameOutput(what: string, merged: string[], floor: string[]): void {
  const i = merged.findIndex((m, k) => m !== floor[k]);
  if (i < 0 && merged.length === floor.length) return;
  throw new Error(`${what}: the floor's output differs from the merge's (${merged.length} vs ${floor.length} rows; first difference: ${merged[i] ?? '—'} / ${floor[i] ?? '—'})`);
}

/** `ordersync merge` on the benchmark's database, in a child process: its wall time and peak RSS. */
function cliMerge(path: string, table: string): { ms: number; cpuMs: number; peakRssMb: number; summary: MergeSummary } {
  const dir = mkdtempSync(join(tmpdir(), 'ordersync-bench-cli-'));
  try {
    const columns = Object.entries(MAPPING).map(([c, id]) => `${JSON.stringify(c)} = ${JSON.stringify(id)}`);
    writeFileSync(
      join(dir, 'ordersync.toml'),
      ['[database]', 'dialect = "sqlite"', `sqlite_path = ${JSON.stringify(path)}`, '[staging]', `table = ${JSON.stringify(table)}`, '[mapping.columns]', ...columns, ''].join('\n'),
    );
    const t0 = performance.now();
    // GNU time's %M %U %S: the child's peak resident set in KiB and its CPU seconds, printed last on stderr.
    const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', process.execPath, join(ROOT, 'bin', 'ordersync.js'), 'merge', '--json'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`ordersync merge exited ${r.status}: ${r.stderr}${r.stdout.slice(0, 2_000)}`);
    const [kib = NaN, user = NaN, system = NaN] = (r.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
    return { ms, cpuMs: (user + system) * 1000, peakRssMb: Math.round(kib / 1024), summary: (JSON.parse(r.stdout) as { counts: MergeSummary['counts'] } & MergeSummary) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runEngine(engine: 'sqlite' | 'postgres', ORDERS: number, out: Phase[]): Promise<void> {
  const b = await openBenchDb(engine);
  const { db, label } = b;
  let io: FloorIo | undefined;
  try {
    await migrateUp(db);
    const settings: Settings = settingsSchema.parse({ mapping: { columns: MAPPING } });
    const table = settings.staging.table;
    const dialect = db.dialect === 'sqlite' ? 'sqlite' : 'postgres';
    // Both days are staged up front (day 1 in a table of its own, swapped in later), so no
    // generated rows are held in this process while the phases run.
    const staged = await (async () => {
      const data = generateStaging({ seed: 1, orders: ORDERS });
      const load = await timed(() => loadStaging(db.raw, table, data.columns, data.rows, { dialect }));
      await loadStaging(db.raw, `${table}_day1`, data.columns, nextDay(data.rows, { seed: 2, changeShare: 0.05 }).rows, { dialect });
      process.stderr.write(`[${label}] staged ${load.value.rows} rows × ${data.columns.length} columns in ${(load.ms / 1000).toFixed(1)} s\n`);
      return { rows: load.value.rows, columns: data.columns.map((c) => c.name) };
    })();
    const config: FloorConfig = { table, columns: staged.columns, mapped: MAPPING, orders: db.tables.orders, lines: db.tables.order_lines };
    if (b.where.engine === 'pglite') {
      process.stderr.write(`[${label}] no PostgreSQL server: the floor needs the plain driver, skipped\n`);
      return;
    }
    io = b.where.engine === 'sqlite' ? sqliteFloorIo(b.where.path, config) : await pgFloorIo(b.where.url, config);
    const floorIo = io;
    const where = b.where;
    const record = (name: string, r: PhaseResult, against?: PhaseResult) => {
      const ratio = against ? r.ms / against.ms : null;
      out.push({ engine: label, orders: ORDERS, phase: name, ms: Math.round(r.ms), msPer1k: per1k(r.ms, staged.rows), cpuMs: Math.round(r.cpuMs), cpuMsPer1k: per1k(r.cpuMs, staged.rows), rowsWritten: r.written, ratio, ratioTo: against ? 'floor' : null, peakRssMb: r.peakRssMb, counts: r.counts });
      const cpu = against ? ` (${ratio?.toFixed(2)}× floor; CPU ${(r.cpuMs / against.cpuMs).toFixed(2)}×)` : '';
      process.stderr.write(`[${label} ${ORDERS}] ${name}: ${(r.ms / 1000).toFixed(2)} s, CPU ${(r.cpuMs / 1000).toFixed(2)} s, peak RSS ${r.peakRssMb} MB${cpu}\n`);
    };
    const batchSize = settings.staging.batch_size;
    const floor = (commit: boolean, digestFile?: string) => phase({ kind: 'floor', where, config, batchSize, commit, ...(digestFile ? { digestFile } : {}) });
    const merged = () => phase({ kind: 'merge', where, config, batchSize, commit: true });
    record('floor: raw scan (select *, arrays)', phase({ kind: 'scan', where, config, batchSize, commit: false }));

    // First loads, each into empty tables on a freshly compacted file (vacuumed before each), so
    // neither finds free pages the other left.
    await floorIo.clear();
    const floor1 = floor(true);
    record('floor: first load', floor1);
    const floorFirst = await digest(floorIo, config);
    await floorIo.clear();
    const first = merged();
    sameOutput('first load', await digest(floorIo, config), floorFirst);
    record('merge: first load', first, floor1);

    const again = merged();
    if (again.written !== 0) throw new Error(`identical re-merge wrote ${again.written} rows`);
    const floor2 = floor(true);
    if (floor2.written !== 0) throw new Error(`the floor's re-merge wrote ${floor2.written} rows`);
    record('floor: re-merge (scan + hash + compare)', floor2);
    record('merge: identical re-merge', again, floor2);

    await sql`drop table ${sql.table(table)}`.execute(db.raw);
    await sql`alter table ${sql.table(`${table}_day1`)} rename to ${sql.table(table)}`.execute(db.raw);
    const digestFile = join(mkdtempSync(join(tmpdir(), 'ordersync-bench-digest-')), 'floor.txt');
    const floor3 = floor(false, digestFile);
    record('floor: next day', floor3);
    const day2 = merged();
    sameOutput('next day', await digest(floorIo, config), readFileSync(digestFile, 'utf8').split('\n'));
    rmSync(dirname(digestFile), { recursive: true, force: true });
    record('merge: next day (5% changed)', day2, floor3);

    if (CLI && b.where.engine === 'sqlite') {
      await floorIo.clear();
      const cli = cliMerge(b.where.path, table);
      out.push({ engine: label, orders: ORDERS, phase: 'ordersync merge (CLI, next-day staging into empty tables)', ms: Math.round(cli.ms), msPer1k: per1k(cli.ms, staged.rows), cpuMs: Math.round(cli.cpuMs), cpuMsPer1k: per1k(cli.cpuMs, staged.rows), rowsWritten: cli.summary.counts.rows_written, ratio: null, ratioTo: null, peakRssMb: cli.peakRssMb });
      process.stderr.write(`[${label}] ordersync merge: ${(cli.ms / 1000).toFixed(2)} s, peak RSS ${cli.peakRssMb} MB\n`);
    }
  } finally {
    await io?.close();
    await b.cleanup();
  }
}

const results: Phase[] = [];
const loads: Array<{ orders: number; engine: string; before: number[]; after: number[] }> = [];
const la = () => loadavg().map((x) => Math.round(x * 100) / 100);
for (const orders of SIZES) {
  for (const engine of ENGINES) {
    const before = la();
    await runEngine(engine, orders, results);
    loads.push({ orders, engine, before, after: la() });
  }
}

const table = (header: string[], body: string[][]) => {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
};
const cpuRatio = (r: Phase) => {
  if (r.ratio === null) return '';
  const floor = results.find((f) => f.engine === r.engine && f.orders === r.orders && f.phase === floorOf(r.phase));
  return floor ? `${(r.cpuMs / floor.cpuMs).toFixed(2)}×` : '';
};
const floorOf = (phase: string) =>
  phase === 'merge: first load' ? 'floor: first load' : phase === 'merge: identical re-merge' ? 'floor: re-merge (scan + hash + compare)' : 'floor: next day';
console.log(`\nmerge benchmark, ${SIZES.join(', ')} orders (${new Date().toISOString()}, node ${process.version})\n`);
console.log(
  table(
    ['engine', 'orders', 'phase', 'seconds', 'ms / 1k rows', 'CPU s', 'rows written', 'ratio', 'CPU ratio', 'peak RSS MB'],
    results.map((r) => [
      r.engine,
      String(r.orders),
      r.phase,
      (r.ms / 1000).toFixed(2),
      String(r.msPer1k),
      (r.cpuMs / 1000).toFixed(2),
      String(r.rowsWritten),
      r.ratio === null ? '' : `${r.ratio.toFixed(2)}× ${r.ratioTo}`,
      cpuRatio(r),
      String(r.peakRssMb),
    ]),
  ),
);
console.log(`\nload average (1, 5, 15 min) before → after: ${loads.map((l) => `${l.engine} ${l.orders}: ${l.before.join(' ')} → ${l.after.join(' ')}`).join('; ')}`);

/** Per engine and phase: the per-1k cost at each size and its largest distance from their mean. */
const linearity =
  SIZES.length < 2
    ? []
    : [...new Set(results.map((r) => `${r.engine}\u0000${r.phase}`))].map((id) => {
        const [engine = '', phase = ''] = id.split('\u0000');
        const runs = SIZES.map((n) => results.find((r) => r.engine === engine && r.phase === phase && r.orders === n));
        const spread = (per1k: number[]) => {
          const mean = per1k.reduce((a, b) => a + b, 0) / per1k.length;
          return Math.max(...per1k.map((x) => Math.abs(x / mean - 1)));
        };
        const wall = runs.map((r) => r?.msPer1k ?? NaN);
        const cpu = runs.map((r) => r?.cpuMsPer1k ?? NaN);
        return { engine, phase, msPer1k: wall, cpuMsPer1k: cpu, peakRssMb: runs.map((r) => r?.peakRssMb ?? NaN), wallSpread: spread(wall), cpuSpread: spread(cpu) };
      });
if (linearity.length) {
  const pct = (x: number) => `±${(x * 100).toFixed(0)}%${x <= LINEAR_WITHIN ? '' : ' ✗'}`;
  console.log(`\nlinearity (ms per 1,000 staged rows at ${SIZES.join(' / ')} orders; ✗: beyond ±${LINEAR_WITHIN * 100}% of the mean)\n`);
  console.log(
    table(
      ['engine', 'phase', 'wall ms / 1k', 'spread', 'CPU ms / 1k', 'spread', 'peak RSS MB'],
      linearity.map((l) => [l.engine, l.phase, l.msPer1k.join(' / '), pct(l.wallSpread), l.cpuMsPer1k.join(' / '), pct(l.cpuSpread), l.peakRssMb.join(' / ')]),
    ),
  );
}

const verdicts = results.flatMap((r) => {
  const pg = r.engine !== 'sqlite';
  const limit =
    r.phase === 'merge: first load' ? (pg ? TARGETS.firstLoadPg : TARGETS.firstLoad)
    : r.phase === 'merge: identical re-merge' ? (pg ? TARGETS.reMergePg : TARGETS.reMerge)
    : r.phase.startsWith('merge: next day') && !pg ? TARGETS.nextDay
    : undefined;
  const v: string[] = [];
  const at = `${r.engine} ${r.orders}`;
  if (limit !== undefined && (r.ratio ?? 0) > limit) v.push(`${at}: ${r.phase} ${r.ratio?.toFixed(2)}× floor > ${limit}×`);
  // The RSS target is the real order list's size; at other sizes the linearity table shows how it grows.
  if (r.orders === 100_000 && r.phase.startsWith('ordersync merge') && r.peakRssMb > TARGETS.cliPeakRssMb) v.push(`${at}: ${r.phase} peak RSS ${r.peakRssMb} MB > ${TARGETS.cliPeakRssMb} MB`);
  return v;
});
for (const l of linearity) {
  if (l.wallSpread > LINEAR_WITHIN) verdicts.push(`${l.engine}: ${l.phase} per-1k wall time ${(l.wallSpread * 100).toFixed(0)}% from the mean across sizes > ±${LINEAR_WITHIN * 100}%`);
}
console.log(verdicts.length ? `\ntargets missed:\n  ${verdicts.join('\n  ')}` : '\nall targets met');

const outFile = join(ROOT, 'bench', 'out', 'merge.json');
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, `${JSON.stringify({ sizes: SIZES, node: process.version, at: new Date().toISOString(), targets: TARGETS, loadAverage: loads, results, linearity, missed: verdicts }, null, 2)}\n`);
console.log(`\nwritten ${outFile}`);
