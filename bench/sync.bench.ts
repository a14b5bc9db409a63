/**
 * npm run bench:sync — ordersync against the emulator with monday's real limits (10M
 * complexity per minute, 30k per mutation, ~150 ms per request) under a time scale, over
 * three days (initial load, 5% changes + 1% cancellations, unchanged), and in the same run
 * the prior system's strategy (items only, 5 per request, 2 s sleep between batches) on the
 * same emulator settings as the baseline. Rates are per emulated minute.
 *
 *   npm run bench:sync -- [--orders 1000] [--scale 10]
 *
 * Local work (SQLite write-backs) is not scaled, so a large scale understates the rate;
 * 10 keeps that distortion small and the run near two minutes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, starterConfig } from '../src/config/index.js';
import { databaseTarget, openDatabase } from '../src/db/connect.js';
import { migrateUp } from '../src/db/migrations/index.js';
import { customerMasterScheduleSeed, startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { MondayClient } from '../src/monday/index.js';
import { runJob, type JobResult } from '../src/jobs/run.js';
import { generateStaging, loadStaging, nextDay } from '../src/sampledata/index.js';

const { values: args } = parseArgs({
  options: { orders: { type: 'string', default: '1000' }, scale: { type: 'string', default: '10' } },
});
const orders = Number(args.orders);
const scale = Number(args.scale);
const LATENCY_MS = 150;
const BUDGET = 10_000_000;
const MUTATION_COST = 30_000;
const CEILING_PER_MIN = BUDGET / MUTATION_COST;

interface DayRow {
  name: string;
  requests: number;
  mutations: number;
  complexity: number;
  http429: number;
  emulatedMinutes: number;
  mutationsPerMinute: number;
  shareOfCeiling: number;
  itemsPerSecond: number;
  expected?: string;
}

function emulatorOptions(token: string) {
  // Latency is emulated time too, so it shrinks with the minute.
  return { token, timeScale: scale, latencyMs: LATENCY_MS / scale, seed: customerMasterScheduleSeed(), limits: { dailyCalls: 1_000_000 } };
}

function row(name: string, emu: RunningEmulator, before: ReturnType<RunningEmulator['stats']>, ms: number, items: number): DayRow {
  const after = emu.stats();
  const minutes = (ms * scale) / 60_000;
  const mutations = after.mutations - before.mutations;
  return {
    name,
    requests: after.requests - before.requests,
    mutations,
    complexity: after.complexityUsed - before.complexityUsed,
    http429: after.rateLimited - before.rateLimited,
    emulatedMinutes: minutes,
    mutationsPerMinute: minutes > 0 ? mutations / minutes : 0,
    shareOfCeiling: minutes > 0 ? mutations / minutes / CEILING_PER_MIN : 0,
    itemsPerSecond: minutes > 0 ? items / (minutes * 60) : 0,
  };
}

async function ours(dir: string): Promise<{ days: DayRow[]; checks: Record<string, boolean> }> {
  const token = 'bench-token';
  const emu = await startEmulator(emulatorOptions(token));
  const file = join(dir, 'ordersync.toml');
  writeFileSync(file, starterConfig({ apiUrl: emu.url }));
  const envVars = { ...process.env, MONDAY_API_TOKEN: token, ORDERSYNC_ENV: undefined };
  const cfg = loadConfig({ path: file, envVars });
  const db = await openDatabase(databaseTarget(cfg, envVars));
  const days: DayRow[] = [];
  const checks: Record<string, boolean> = {};
  try {
    await migrateUp(db);
    const data = generateStaging({ seed: 11, orders, mess: false });
    const table = cfg.settings.staging.table;
    const day = async (name: string, load: () => Promise<unknown>): Promise<JobResult> => {
      await load();
      // Merge is local work; only the sync is timed, in emulated minutes.
      const m = await runJob(db, cfg, { command: 'merge', envVars });
      const before = emu.stats();
      const t = Date.now();
      const r = { ...(await runJob(db, cfg, { command: 'sync', envVars })), merge: m.merge };
      const s = r.sync?.counts;
      days.push(row(name, emu, before, Date.now() - t, (s?.items_created ?? 0) + (s?.items_updated ?? 0) + (s?.items_cancelled ?? 0)));
      return r;
    };
    const d1 = await day('day 1: initial load', () => loadStaging(db.raw, table, data.columns, data.rows, { dialect: 'sqlite' }));
    const next = nextDay(data.rows, { seed: 12, changeShare: 0.05, cancelShare: 0.01, reactivateShare: 0, vanishShare: 0, newShare: 0 });
    const d2 = await day('day 2: 5% changed, 1% cancelled', () => loadStaging(db.raw, table, data.columns, next.rows, { dialect: 'sqlite', replace: true }));
    const d3 = await day('day 3: unchanged', async () => undefined);

    const d1row = days[0] as DayRow;
    const m2 = d2.merge?.counts;
    const expectedItems = (m2?.updated ?? 0) + (m2?.cancelled ?? 0) + (m2?.new ?? 0);
    const expectedLines = (m2?.lines_inserted ?? 0) + (m2?.lines_updated ?? 0) + (m2?.lines_deleted ?? 0);
    const c2 = d2.sync?.counts;
    const sentItems = (c2?.items_created ?? 0) + (c2?.items_updated ?? 0) + (c2?.items_cancelled ?? 0);
    const sentLines = (c2?.subitems_created ?? 0) + (c2?.subitems_updated ?? 0) + (c2?.subitems_zeroed ?? 0);
    (days[1] as DayRow).expected = `${expectedItems} changed orders, ${expectedLines} changed lines (+ lines zeroed by cancellation)`;
    checks['day 1 ≥ 90% of the ceiling'] = d1row.shareOfCeiling >= 0.9;
    checks['day 1 zero 429s'] = d1row.http429 === 0;
    checks[`day 1 ≤ 300 requests per 1,000 orders`] = d1row.requests <= (300 * orders) / 1000;
    checks['day 2 items sent = changed orders'] = sentItems <= expectedItems;
    checks['day 2 subitem mutations ≥ changed lines'] = sentLines >= expectedLines - (m2?.lines_deleted ?? 0);
    checks['day 3 sends no mutation'] = (days[2] as DayRow).mutations === 0;
    checks['every day OK'] = [d1, d2, d3].every((r) => r.status === 'OK');
  } finally {
    await db.close();
    await emu.close();
  }
  return { days, checks };
}

/** The prior system: items only (no subitems), 5 aliased creates per request, a fixed 2 s sleep between batches. */
async function baseline(): Promise<DayRow> {
  const token = 'bench-token';
  const emu = await startEmulator(emulatorOptions(token));
  try {
    const client = new MondayClient({ apiUrl: emu.url, apiVersion: '2026-10', token, batchSize: 5 });
    const group = await client.mutate([{ kind: 'create_group', board_id: '9000000001', group_name: 'BASELINE' }], { idempotencyKey: 'baseline-group' });
    const groupId = group[0]?.ok ? group[0].data.id : 'topics';
    const before = emu.stats();
    const t = Date.now();
    for (let i = 0; i < orders; i += 5) {
      const ops = Array.from({ length: Math.min(5, orders - i) }, (_, j) => ({
        kind: 'create_item' as const,
        board_id: '9000000001',
        group_id: groupId,
        item_name: `BASE-${String(i + j).padStart(5, '0')}`,
        column_values: { text_mkr5wya6: `BASE-${i + j}` },
      }));
      await client.mutate(ops, { idempotencyKey: `baseline-${i}` });
      await new Promise((r) => setTimeout(r, 2000 / scale));
    }
    return row('prior system (items only, 5/request, 2 s sleeps)', emu, before, Date.now() - t, orders);
  } finally {
    await emu.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'ordersync-bench-'));
try {
  const mine = await ours(dir);
  const base = await baseline();
  const day1 = mine.days[0] as DayRow;
  const result = {
    orders,
    timeScale: scale,
    latencyMs: LATENCY_MS,
    ceilingMutationsPerMinute: CEILING_PER_MIN,
    days: mine.days,
    baseline: base,
    ratios: {
      recordsPerMinute_vs_baseline: day1.mutationsPerMinute / base.mutationsPerMinute,
      itemsPerSecond_vs_baseline: day1.itemsPerSecond / base.itemsPerSecond,
      note: 'records = items + subitems written; day 1 also creates every subitem, the baseline items only',
    },
    checks: mine.checks,
    node: process.version,
    date: new Date().toISOString(),
  };
  mkdirSync('bench/out', { recursive: true });
  writeFileSync('bench/out/sync.json', `${JSON.stringify(result, null, 2)}\n`);
  const table = [...mine.days, base].map((d) => ({
    run: d.name,
    requests: d.requests,
    mutations: d.mutations,
    complexity: d.complexity,
    '429s': d.http429,
    'emulated min': d.emulatedMinutes.toFixed(2),
    'mutations/min': d.mutationsPerMinute.toFixed(0),
    '% of ceiling': `${(d.shareOfCeiling * 100).toFixed(1)}%`,
    'items/s': d.itemsPerSecond.toFixed(2),
  }));
  console.table(table);
  console.log(
    `day 1 records per minute vs the prior strategy: ${result.ratios.recordsPerMinute_vs_baseline.toFixed(2)}× ` +
      `(items/s ${result.ratios.itemsPerSecond_vs_baseline.toFixed(2)}×: day 1 also writes ~5 subitems per item, the baseline none)`,
  );
  for (const [name, ok] of Object.entries(mine.checks)) console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}`);
  console.log('wrote bench/out/sync.json');
  if (Object.values(mine.checks).some((ok) => !ok)) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
