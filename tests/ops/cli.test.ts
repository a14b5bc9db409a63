import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCron, schedule } from '../../src/jobs/cron.js';
import { createRunObserver, etaSeconds } from '../../src/observe/progress.js';
import { main } from '../../src/cli/main.js';
import { runCli } from '../support/cli.js';
import { opsWorld, type OpsWorld } from './support.js';

let w: OpsWorld;
beforeAll(async () => {
  w = await opsWorld({ orders: 30, edit: (rows) => { for (const r of rows.filter((x) => x['AAG ORDER NUMBER']).slice(3, 5)) r['ORDER TYPE'] = 'WEIRD TYPE'; } });
  // the database handle is closed so the child processes own the SQLite file
  await w.db.close();
});
afterAll(async () => {
  await w?.close();
});

/** A real child process (for what only a process shows: stderr logs, the exit code). */
const spawnCli = (args: string[], env: Record<string, string | undefined> = {}) =>
  runCli(['--config', w.file, ...args], { cwd: w.dir, env: { MONDAY_API_TOKEN: w.emulator.token, ORDERSYNC_ALERT_WEBHOOK: undefined, ...env }, timeoutMs: 50_000 });

/** The same CLI entry point in-process (spawning tsx costs seconds per call), stdout and stderr captured. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => ((stdout += c.toString()), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => ((stderr += c.toString()), true)) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'ordersync', '--config', w.file, ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

describe('CLI', () => {
  it('run logs JSON lines to stderr when not a TTY, prints the summary table, exits 2 when degraded; then status, report, log, prune', async () => {
    const run = await spawnCli(['run', '--log-format', 'json']);
    expect(run.code, run.stderr).toBe(2);
    const logs = run.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logs.some((l) => l.msg === 'progress' && l.phase === 'items' && l.done === l.total)).toBe(true);
    expect(logs.find((l) => l.msg === 'run finished')).toMatchObject({ status: 'DEGRADED' });
    expect(run.stderr).not.toContain(w.emulator.token);
    expect(run.stdout).toMatch(/items\s+\d+\s+0\s+0\s+0\s+2/);

    const status = await cli(['status', '--json']);
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout);
    expect(s.errors[0]).toMatchObject({ code: 'MissingLabel', column: 'dropdown_mkr518fc' });
    expect(s.errors[0].action).toMatch(/create_labels/);
    expect((await cli(['status'])).stdout).toMatch(/rows in ERROR by code/);

    const out = join(w.dir, 'report.html');
    const html = await cli(['report', '--last', '--format', 'html', '--out', out]);
    expect(html.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/MissingLabel/);
    const md = await cli(['report', '--run', '1', '--customer', 'GREYSON']);
    expect(md.stdout).toMatch(/\| GREYSON \|/);
    expect(md.stdout).not.toMatch(/\| PELOTON \|/);
    expect((await cli(['report', '--run', '99'])).code).toBe(3);
    expect((await cli(['report', '--format', 'pdf'])).code).toBe(3);

    const key = s.errors[0].exampleKey as string;
    const log = await cli(['log', '--order', key, '--json']);
    expect(log.code).toBe(0);
    expect(JSON.parse(log.stdout).events[0]).toMatchObject({ outcome: 'ERROR', error_code: 'MissingLabel' });
    expect((await cli(['log', '--order', key])).stdout).toMatch(/what to do/);

    const pr = await cli(['prune', '--older-than', '30d', '--json']);
    expect(pr.code).toBe(0);
    expect(JSON.parse(pr.stdout)).toMatchObject({ apiLog: 0, events: 0, keptRunId: 1 });
    expect((await cli(['prune', '--older-than', 'soon'])).code).toBe(3);
  });

  it('serve refuses a non-loopback address without a token', async () => {
    const saved = process.env.ORDERSYNC_DASHBOARD_TOKEN;
    delete process.env.ORDERSYNC_DASHBOARD_TOKEN;
    const r = await cli(['serve', '--host', '0.0.0.0', '--port', '0']).finally(() => {
      if (saved !== undefined) process.env.ORDERSYNC_DASHBOARD_TOKEN = saved;
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/ORDERSYNC_DASHBOARD_TOKEN/);
  });
});

describe('terminal progress', () => {
  it('ETA: the longer of the pace so far, the complexity budget for the work left, and the wait in progress', () => {
    const p = { started: 0, done: 50, total: 100, costAtStart: 0, cost: 0, waitUntil: 0 };
    expect(etaSeconds(p, 10_000)).toBe(10); // 50 in 10 s: 50 more in 10 s
    // 1,000 complexity per record, 50 left, 10,000 a minute: 5 minutes, whatever the pace so far
    expect(etaSeconds({ ...p, cost: 50_000 }, 10_000, 10_000)).toBe(300);
    expect(etaSeconds({ ...p, waitUntil: 48_000 }, 10_000)).toBe(38);
    expect(etaSeconds({ ...p, done: 100 }, 10_000)).toBe(0);
    expect(etaSeconds({ ...p, done: 0 }, 10_000)).toBe(Number.POSITIVE_INFINITY);
  });

  it('on a TTY: a bar per phase against its total, the wait on the bar, each bar ending done or saying why not', async () => {
    let t = 0;
    const chunks: string[] = [];
    const stream = { isTTY: true, columns: 200, write: (s: string) => (chunks.push(s), true) } as unknown as NodeJS.WritableStream & { isTTY: boolean };
    const o = createRunObserver({ stream, now: () => t, complexityPerMinute: 10_000 });
    o.progress('items', 0, 10, 0);
    t = 2_000;
    o.progress('items', 10, 10, 5_000);
    t = 9_000; // the phase's time stops when it is done
    o.progress('subitems', 0, 100, 5_000);
    t = 10_000;
    o.progress('subitems', 40, 100, 45_000); // 1,000 a line, 60 left, 10,000 a minute: 6 min
    o.wait({ ms: 38_000, reason: 'the complexity budget' });
    o.end('DailyLimitExceeded: the daily budget is spent');
    // The drawings, without the cursor and line control around them.
    // eslint-disable-next-line no-control-regex
    const text = chunks.join('').replace(/\x1b(\[[0-9;?]*[A-Za-z]|[78])/g, '\r');
    expect(text).toMatch(/items {5}\[█{24}\] +10\/10 +5\.0\/s {2}done in 2s\r+\n/);
    expect(text).toMatch(/subitems +\[█{10}░{14}\] +40\/100 +40\.0\/s {2}waiting 38 s for the complexity budget, ETA 6m00s/);
    expect(text).toMatch(/subitems +\[█{10}░{14}\] +40\/100 +40\.0\/s {2}stopped at 40\/100: DailyLimitExceeded: the daily budget is spent\r+\n$/);
  });

  it('piped: JSON progress at the steady interval, also while waiting for the complexity budget; a phase cut short says why', async () => {
    const file = join(w.dir, 'progress.log');
    const fd = openSync(file, 'w');
    const o = createRunObserver({ logFormat: 'json', stream: { fd, write: () => true } as unknown as NodeJS.WritableStream, logIntervalMs: 100 });
    o.progress('items', 0, 10);
    o.progress('items', 4, 10);
    o.wait({ ms: 38_000, reason: 'the complexity budget' });
    await new Promise((r) => setTimeout(r, 450));
    o.progress('items', 6, 10);
    o.end('DailyLimitExceeded: the daily budget is spent');
    await new Promise((r) => setTimeout(r, 250));
    closeSync(fd);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ msg: 'phase started', phase: 'items', total: 10 });
    const waiting = lines.filter((l) => /^progress: waiting 3\d s for the complexity budget$/.test(String(l.msg)));
    expect(waiting.length).toBeGreaterThanOrEqual(4); // at once, then every 100 ms while it lasts
    expect(waiting[0]).toMatchObject({ phase: 'items', done: 4, total: 10, waiting_for: 'the complexity budget' });
    const times = lines.filter((l) => String(l.msg).startsWith('progress')).map((l) => Date.parse(String(l.time)));
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeLessThan(100 + 60);
    expect(lines.at(-1)).toMatchObject({ level: 40, msg: 'phase stopped at 6/10: DailyLimitExceeded: the daily budget is spent', done: 6, total: 10 });
    // nothing after the end: the timer is gone
    expect(lines.filter((l) => l.msg === 'phase stopped at 6/10: DailyLimitExceeded: the daily budget is spent')).toHaveLength(1);
  });
});

describe('cron (croner)', () => {
  it('computes the next fire time, in a time zone, daylight saving included', () => {
    const at = new Date(2026, 0, 5, 10, 7, 30); // Monday 10:07:30 local
    expect(parseCron('5 * * * *').next(at)).toEqual(new Date(2026, 0, 5, 11, 5));
    expect(parseCron('*/15 * * * *').next(at)).toEqual(new Date(2026, 0, 5, 10, 15));
    expect(parseCron('0 6 * * MON-FRI').next(new Date(2026, 0, 9, 7))).toEqual(new Date(2026, 0, 12, 6, 0)); // Fri → Mon
    expect(parseCron('@daily').next(at)).toEqual(new Date(2026, 0, 6, 0, 0));
    const berlin = parseCron('0 6 * * *', 'Europe/Berlin');
    expect(berlin.next(new Date('2026-01-05T10:07:30Z')).toISOString()).toBe('2026-01-06T05:00:00.000Z'); // CET
    expect(berlin.next(new Date('2026-07-05T10:07:30Z')).toISOString()).toBe('2026-07-06T04:00:00.000Z'); // CEST
    expect(() => parseCron('61 * * * *')).toThrow(/cron "61 \* \* \* \*": Invalid value for minute: 61/);
    expect(() => parseCron('* * *')).toThrow(/five fields/);
    expect(() => parseCron('0 6 * * *', 'Mars/Olympus')).toThrow(/time zone "Mars\/Olympus" is not an IANA time zone/);
  });

  it('skips a tick while the previous run is still going', async () => {
    let runs = 0;
    let release!: () => void;
    const skips: Date[] = [];
    const job = schedule(
      parseCron('* * * * * *'),
      () => {
        runs++;
        return new Promise<void>((r) => (release = r));
      },
      { onSkip: (at) => skips.push(at) },
    );
    await new Promise((r) => setTimeout(r, 3_200));
    expect(runs).toBe(1);
    expect(job.running).toBe(true);
    expect(job.skipped).toBeGreaterThanOrEqual(1);
    expect(skips.length).toBe(job.skipped);
    release();
    await new Promise((r) => setTimeout(r, 1_500));
    job.stop();
    expect(runs).toBeGreaterThanOrEqual(2);
  });
});
