/**
 * One timed phase of the merge benchmark in a process of its own, so its peak RSS is its own:
 * `tsx bench/merge-phase.ts '<json>'` runs ordersync's merge or the floor (bench/merge-floor.ts)
 * on the benchmark's database and prints `{ ms, peakRssMb, … }` as JSON. A floor run that does not
 * commit writes the digest of what it left to `digestFile`, then rolls back.
 */
import { writeFileSync } from 'node:fs';
import { settingsSchema } from '../src/config/schema.js';
import { openDatabase } from '../src/db/connect.js';
import { merge } from '../src/merge/index.js';
import { digest, floorMerge, pgFloorIo, sqliteFloorIo, type FloorConfig } from './merge-floor.js';

export interface PhaseRequest {
  kind: 'merge' | 'floor' | 'scan';
  where: { engine: 'sqlite'; path: string } | { engine: 'postgres'; url: string };
  config: FloorConfig;
  batchSize: number;
  commit: boolean;
  digestFile?: string;
}

const req = JSON.parse(process.argv[2] ?? '{}') as PhaseRequest;
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
/** This process's CPU time (user + system) since `from`: on a loaded machine it varies far less than wall time. */
const cpuSince = (from: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
};

if (req.kind === 'merge') {
  const tables = settingsSchema.parse({}).database.tables;
  const db = await openDatabase(req.where.engine === 'sqlite' ? { dialect: 'sqlite', path: req.where.path, tables } : { dialect: 'postgres', url: req.where.url, tables });
  const settings = settingsSchema.parse({ staging: { table: req.config.table, batch_size: req.batchSize }, mapping: { columns: req.config.mapped } });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const summary = await merge(db, settings);
  const ms = performance.now() - t0;
  const cpuMs = cpuSince(c0);
  await db.close();
  process.stdout.write(JSON.stringify({ ms, cpuMs, peakRssMb: peakRssMb(), written: summary.counts.rows_written, counts: summary.counts }));
} else if (req.kind === 'scan') {
  // The raw `select *`, as arrays, twice: the first warms the caches, the second is timed.
  const io = req.where.engine === 'sqlite' ? sqliteFloorIo(req.where.path, req.config) : await pgFloorIo(req.where.url, req.config);
  const scan = async () => {
    let n = 0;
    for (let after: unknown, rows: unknown[][] = []; ; after = rows[rows.length - 1]?.[req.config.columns.length]) {
      rows = await io.read(req.config.columns, after, 2_000);
      n += rows.length;
      if (rows.length < 2_000) return n;
    }
  };
  await io.begin();
  await scan();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await scan();
  const ms = performance.now() - t0;
  const cpuMs = cpuSince(c0);
  await io.rollback();
  await io.close();
  process.stdout.write(JSON.stringify({ ms, cpuMs, peakRssMb: peakRssMb(), written: 0 }));
} else {
  const io = req.where.engine === 'sqlite' ? sqliteFloorIo(req.where.path, req.config) : await pgFloorIo(req.where.url, req.config);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const result = await floorMerge(io, req.config, { batchSize: req.batchSize, commit: req.commit });
  const ms = performance.now() - t0;
  const cpuMs = cpuSince(c0);
  const rss = peakRssMb();
  if (req.digestFile) writeFileSync(req.digestFile, (await digest(io, req.config)).join('\n'));
  if (!req.commit) await io.rollback();
  await io.close();
  process.stdout.write(JSON.stringify({ ms, cpuMs, peakRssMb: rss, written: result.written }));
}
