import { afterEach, describe, expect, it } from 'vitest';
import { createRelEnv, type RelEnv } from '../reliability/support/env.js';
import { assertHonestBoard, cli, plannerEdits, queued, staging, verifyJson } from './support.js';

/**
 * `verify` while rows are queued (after `merge`, or after `verify --fix` and before `run`):
 * the items and subitems of queued rows belong to orders. Reporting them as "board item no
 * order has" or "subitem no line has" tells the operator that a person must delete a real
 * order's item.
 *
 * This failed while findDrift's unknown_item rule (src/sync/verify.ts) knew only the item ids of
 * the SYNCED orders it compared, and its subitem_extra rule only the SYNCED lines: every item of a
 * PENDING order and every subitem of a PENDING line was "unknown" on a whole-board verify.
 */
describe('verify while rows are queued', () => {
  let env: RelEnv | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it('after merge: an order queued for an update is not an unknown item', { timeout: 120_000 }, async () => {
    const e = (env = await createRelEnv({ latencyMs: 5, batchSize: 5 }));
    const rows = staging(4301, 12);
    await e.load(rows);
    expect((await e.run()).status).toBe('OK');
    const changed = rows.filter((r) => r['ORDER TYPE'] !== 'CANCELLED').slice(0, 2);
    for (const r of changed) r['PO NUMBER'] = `${String(r['PO NUMBER'] ?? '')}-NEW`;
    await e.load(rows);
    expect((await cli(e, ['merge'])).code).toBe(0);
    expect((await queued(e)).orders.size).toBe(2);

    const check = await verifyJson(e);
    expect(check.json.findings.map((f) => `${f.kind} ${f.order_key}`), 'nothing on the board differs from what was synced').toEqual([]);
    expect(check.code).toBe(0);
    expect(check.json.queued.orders, 'the queued orders are counted').toBe(2);
    const text = await cli(e, ['verify']);
    expect(text.stdout, 'not "the board matches" while edits are queued').not.toContain('the board matches');
    expect(text.stdout).toContain('2 order(s) and 0 line(s) queued or in ERROR, not compared');
  });

  it('after verify --fix, before run: the re-queued orders and lines are not unknown items or extra subitems', { timeout: 120_000 }, async () => {
    const e = (env = await createRelEnv({ latencyMs: 5, batchSize: 5 }));
    const rows = staging(4302, 16);
    await e.load(rows);
    expect((await e.run()).status).toBe('OK');
    await plannerEdits(e);
    const fix = await cli(e, ['verify', '--fix']);
    expect(fix.code, fix.stdout).toBe(0);

    const check = await verifyJson(e);
    expect(check.json.findings.filter((f) => f.kind === 'unknown_item' || f.kind === 'subitem_extra').map((f) => `${f.kind} ${f.order_key}`), 'items and subitems of queued rows').toEqual([]);
    expect(check.json.needsAttention).toBe(0);

    const run = await cli(e, ['run']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    await assertHonestBoard(e, rows, 'after verify --fix and run');
  });
});
