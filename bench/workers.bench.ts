/**
 * npm run bench:workers — 4 boards × 1,000 orders on two monday accounts (two boards each),
 * run by 1, 2 and 4 `ordersync worker` processes from one `ordersync schedule --once`, against
 * emulators with monday's real limits (10M complexity per minute per account, 30k per
 * mutation, ~150 ms per request) under a time scale. Reports the wall time until every board
 * converged and each account's spend as a share of its complexity ceiling (budget × emulated
 * minutes), plus 429s. Writes bench/out/workers.json.
 *
 *   npm run bench:workers -- [--orders 1000] [--scale 10] [--workers 1,2,4]
 *
 * Local work is not scaled, so a large scale understates what more workers buy.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { collect, runCli } from '../tests/support/cli.js';
import { createWorkersEnv, jsonLines } from '../tests/support/workers-env.js';

const { values: args } = parseArgs({
  options: { orders: { type: 'string', default: '1000' }, scale: { type: 'string', default: '10' }, workers: { type: 'string', default: '1,2,4' } },
});
const orders = Number(args.orders);
const scale = Number(args.scale);
const counts = args.workers.split(',').map(Number);
const BUDGET = 10_000_000;
const LATENCY_MS = 150;

interface Row {
  workers: number;
  wallSeconds: number;
  emulatedMinutes: number;
  accounts: { complexity: number; shareOfCeiling: number; http429: number }[];
  runs: string[];
}

async function once(workers: number): Promise<Row> {
  const w = await createWorkersEnv({
    accounts: [0, 0, 1, 1],
    ordersPerEnv: orders,
    timeScale: scale,
    latencyMs: LATENCY_MS / scale,
    limits: { complexityPerMinute: BUDGET, dailyCalls: 10_000_000 },
    budgetShare: 0.9,
    worker: { lease_seconds: 3_600, retry_delay_seconds: 1, poll_seconds: 0.5 },
  });
  const children = Array.from({ length: workers }, () => {
    const child = w.spawn(['worker']);
    return { child, log: jsonLines(child), done: collect(child, 3 * 3_600_000) };
  });
  try {
    await Promise.all(children.map((c) => c.log.waitFor((l) => l.msg === 'worker started', 60_000)));
    const before = w.accounts.map((a) => a.emulator.stats());
    const started = Date.now();
    const q = await runCli(['--config', w.configPath, 'schedule', '--once'], { cwd: w.dir, env: w.envVars });
    if (q.code !== 0) throw new Error(`schedule failed: ${q.stderr}`);
    const done = new Map<string, string>();
    while (done.size < w.envs.length) {
      for (const c of children) for (const l of c.log.lines) if (l.msg === 'job done' || l.msg === 'job failed') done.set(String(l.env), String(l.status ?? l.error));
      await new Promise((r) => setTimeout(r, 500));
    }
    const wallSeconds = (Date.now() - started) / 1000;
    const emulatedMinutes = (wallSeconds * scale) / 60;
    const accounts = w.accounts.map((a, i) => {
      const s = a.emulator.stats();
      const complexity = s.complexityUsed - before[i]!.complexityUsed;
      return { complexity, shareOfCeiling: complexity / (BUDGET * emulatedMinutes), http429: s.rateLimited - before[i]!.rateLimited };
    });
    return { workers, wallSeconds, emulatedMinutes, accounts, runs: w.envs.map((e) => `${e.name}: ${done.get(e.name)}`) };
  } finally {
    for (const c of children) c.child.kill('SIGTERM');
    await Promise.allSettled(children.map((c) => c.done));
    await w.close();
  }
}

const rows: Row[] = [];
for (const n of counts) {
  const r = await once(n);
  rows.push(r);
  console.log(
    `${n} worker(s): ${r.wallSeconds.toFixed(1)} s wall (${r.emulatedMinutes.toFixed(1)} emulated min); ` +
      r.accounts.map((a, i) => `account ${i + 1}: ${(a.shareOfCeiling * 100).toFixed(0)}% of ceiling, ${a.http429} × 429`).join('; ') +
      `; runs ${r.runs.join(', ')}`,
  );
}
mkdirSync('bench/out', { recursive: true });
writeFileSync('bench/out/workers.json', `${JSON.stringify({ orders, scale, boards: 4, accounts: 2, rows }, null, 2)}\n`);
