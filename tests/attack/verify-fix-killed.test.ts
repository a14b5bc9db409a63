import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../../src/sampledata/prng.js';
import { createRelEnv, type RelEnv } from '../reliability/support/env.js';
import { assertHonestBoard, cli, plannerEdits, queued, spawn, staging, verifyJson, type Edit, type Finding } from './support.js';
import { killWhen } from '../support/cli.js';

/**
 * `verify --fix` SIGKILLed at seeded moments after planners edited the board (rename, move,
 * delete an item, delete a subitem, overwrite a db-owned column, change a quantity), then
 * what an operator types next. Whatever the moment: a plain `verify` accounts for every edit
 * (still a finding, or queued for the next run), never says the board matches while it does
 * not, and after `run` (or a `rollback` of the first run, then `run`) the board read back over
 * HTTP equals the staging projection with no duplicate.
 */
type Moment = 'request' | 'record' | 'requeued' | 'time';
type Next = 'run' | 'rollback';

const CASES: Array<{ moment: Moment; next: Next; seed: number }> = [
  { moment: 'request', next: 'run', seed: 1 },
  { moment: 'request', next: 'rollback', seed: 2 },
  { moment: 'record', next: 'run', seed: 3 },
  { moment: 'requeued', next: 'run', seed: 4 },
  { moment: 'requeued', next: 'rollback', seed: 5 },
  { moment: 'time', next: 'run', seed: 6 },
];

/** Findings of the known bug in verify-queued.test.ts: items and subitems of queued rows called unknown. */
const falseFindings = (findings: Finding[], q: { orders: Set<string>; lines: Set<string> }) =>
  findings.filter((f) => (f.kind === 'unknown_item' || f.kind === 'subitem_extra') && f.order_key !== null && q.orders.has(f.order_key) || (f.kind === 'subitem_extra' && q.lines.has(`${f.order_key}/${f.size}`))).length;

describe('verify --fix SIGKILLed, then the operator', () => {
  let env: RelEnv | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it.each(CASES)('killed at $moment (seed $seed), then status, verify, $next', { timeout: 180_000 }, async ({ moment, next, seed }) => {
    const rng = new Rng(seed);
    const e = (env = await createRelEnv({ latencyMs: 20, batchSize: 5 }));
    const rows = staging(4100 + seed, 16);
    await e.load(rows);
    const first = await e.run();
    expect(first.status, first.verdict.summary).toBe('OK');
    const edits = await plannerEdits(e);

    const base = e.emulator.stats().requests;
    const n = rng.int(1, 3);
    const ms = rng.int(0, 20);
    let armedAt: number | undefined;
    const start = Date.now();
    const delay = rng.int(300, 2000);
    const ready = async (): Promise<boolean> => {
      if (moment === 'time') return Date.now() - start >= delay;
      if (moment === 'request') {
        if (e.emulator.stats().requests - base < n) return false;
        armedAt ??= Date.now();
        return Date.now() - armedAt >= ms;
      }
      if (moment === 'record') return (await e.db.kysely.selectFrom('sync_runs').select('id').where('command', '=', 'verify:fix').executeTakeFirst()) !== undefined;
      return (await e.db.kysely.selectFrom('orders').select('id').where('sync_state', '=', 'PENDING').executeTakeFirst()) !== undefined;
    };
    const { result, killed } = await killWhen(spawn(e, ['verify', '--fix']), ready);
    if (killed) expect(result.code, result.stdout + result.stderr).toBe(137);
    else expect([0, 2], result.stdout + result.stderr).toContain(result.code);

    const status = await cli(e, ['status']);
    expect(status.code, status.stdout + status.stderr).not.toBe(1);
    expect(status.stderr).not.toMatch(/\n\s+at .*:\d+/);

    // Every edit is either still a finding, or its row is queued: none is forgotten.
    const check = await verifyJson(e);
    const q = await queued(e);
    const accounted = (x: Edit) =>
      check.json.findings.some((f) => f.kind === x.kind && f.order_key === x.orderKey && (x.size === undefined || f.size === x.size)) ||
      q.orders.has(x.orderKey) ||
      (x.size !== undefined && q.lines.has(`${x.orderKey}/${x.size}`));
    expect(edits.filter((x) => !accounted(x)), `${moment}: edits neither found nor queued`).toEqual([]);
    expect(check.json.findings.filter((f) => !edits.some((x) => x.orderKey === f.order_key)), 'no finding an edit does not explain').toEqual([]);
    expect(check.code, `verify after the kill: ${JSON.stringify(check.json.findings)}`).toBe(check.json.findings.length > 0 ? 2 : 0);

    // The operator does what the output says: re-queue what is still a finding.
    if (check.json.findings.length > 0) {
      const fix = await cli(e, ['verify', '--fix']);
      expect(fix.stderr).toBe('');
      // Exit 2 only for the known false "needs a person" findings on queued rows (verify-queued.test.ts).
      if (fix.code !== 0) expect(falseFindings(check.json.findings, q), fix.stdout).toBe(check.json.needsAttention);
    }
    if (next === 'rollback') {
      const rb = await cli(e, ['rollback', '--run', String(first.runId)]);
      expect([0, 2], `rollback: ${rb.stdout}${rb.stderr}`).toContain(rb.code);
    }
    const run = await cli(e, ['run']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    await assertHonestBoard(e, rows, `verify --fix killed at ${moment}, then ${next}`);
    const after = await verifyJson(e);
    expect(after.json.findings).toEqual([]);
    expect(after.code).toBe(0);
    const runs = await e.db.kysely.selectFrom('sync_runs').select(['id', 'command', 'status', 'error']).orderBy('id').execute();
    expect(runs.filter((r) => r.status === 'RUNNING'), 'no run record left RUNNING').toEqual([]);
    console.log(JSON.stringify({ suite: 'attack/verify-fix-killed', moment, next, seed, killed, exit: result.code, findingsAfterKill: check.json.findings.length, queuedAfterKill: q.orders.size + q.lines.size }));
    // The killed attempt (when it got as far as its record) is ABORTED, or OK when it had finished first.
    const attempt = runs.find((r) => r.command === 'verify:fix');
    if (attempt && killed) expect(['ABORTED', 'OK']).toContain(attempt.status);
  });
});
