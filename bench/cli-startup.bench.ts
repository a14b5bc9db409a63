// `npm run bench:cli`: how long `ordersync --help` and `ordersync status` take to start, with a
// warm cache (each is run once before timing), against the built binary.
// Target: under 300 ms each; node's own start (`node -e 0`) is printed as the floor of this host.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TARGET_MS = 300;
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const bin = resolve(fileURLToPath(new URL('..', import.meta.url)), 'bin', 'ordersync.js');
const dir = mkdtempSync(join(tmpdir(), 'ordersync-bench-cli-'));
const env = { ...process.env };
delete env.ORDERSYNC_ENV;
delete env.ORDERSYNC_CONFIG;

function time(args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: dir, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function measure(name: string, args: string[]): { name: string; median: number; p90: number; min: number } {
  time(args);
  const samples = Array.from({ length: RUNS }, () => time(args)).sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(samples.length * q))] ?? 0;
  return { name, median: at(0.5), p90: at(0.9), min: at(0) };
}

try {
  time([bin, 'init']);
  time([bin, 'migrate', 'up']);
  const rows = [measure('node -e 0 (floor)', ['-e', '0']), measure('ordersync --help', [bin, '--help']), measure('ordersync status', [bin, 'status'])];
  console.log(`${RUNS} runs each, warm cache; target < ${TARGET_MS} ms`);
  for (const r of rows) {
    const verdict = r.name.startsWith('node') ? '' : r.median < TARGET_MS ? '  within target' : '  OVER target';
    console.log(`${r.name.padEnd(22)} median ${r.median.toFixed(0).padStart(5)} ms  p90 ${r.p90.toFixed(0).padStart(5)} ms  min ${r.min.toFixed(0).padStart(5)} ms${verdict}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
