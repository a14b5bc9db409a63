import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStaging, nextDay, type StagingRow } from '../../src/sampledata/index.js';
import { PLANNED_COUNTS } from '../../src/sync/planner.js';
import { runCli } from '../support/cli.js';
import { createSyncEnv, type SyncEnv } from '../support/sync-env.js';

const KEY = 'AAG ORDER NUMBER';
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A day with every kind of change the items and subitems phases handle: content changes,
 * cancellations and new orders (nextDay), orders moved to a group the board lacks, new orders
 * for a new customer (a new group), and new orders that arrive cancelled (skipped, never sent).
 */
function eventfulDay(rows: StagingRow[], seed: number): StagingRow[] {
  const next = [...nextDay(rows, { seed, changeShare: 0.3, cancelShare: 0.1, vanishShare: 0, newShare: 0.15 }).rows];
  const known = new Set(rows.map((r) => r[KEY]));
  const added = next.filter((r) => !known.has(r[KEY]));
  const kept = next.filter((r) => known.has(r[KEY]) && !/^cancel/i.test(String(r['ORDER TYPE'] ?? '')));
  for (const r of kept.slice(0, 3)) r['CUSTOMER SEASON'] = `MOVED ${seed}`;
  for (const r of added.slice(0, 2)) r['ORDER TYPE'] = 'CANCELLED';
  for (const r of added.slice(2, 5)) r['CUSTOMER NAME'] = `NEW CUSTOMER ${seed}`;
  return next;
}

describe.each(['sqlite', 'postgres'] as const)('plan counts equal the run (%s)', (engine) => {
  let env: SyncEnv;
  let rows: StagingRow[];
  const cli = async (...args: string[]) => {
    const r = await runCli(args, { cwd: env.dir, env: { ...env.envVars, ORDERSYNC_CONFIG: env.configPath } });
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBeLessThanOrEqual(2);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    env = await createSyncEnv({ engine, patchConfig: (t) => t.replace('[cancel]\n', '[cancel]\nmove_to_group = "Cancelled orders"\n') });
    rows = [...generateStaging({ seed: 41, orders: 40, mess: false }).rows];
    await env.load(rows);
    await env.closeDb();
    expect((await cli('run', '--json')).status).toBe('OK');
  }, 180_000);
  afterAll(async () => env?.close());

  it.each([1, 2])('day %i: moves, new groups, cancellations, skipped orders', async (day) => {
    rows = eventfulDay(rows, 50 + day);
    await env.reopen();
    await env.load(rows);
    await env.closeDb();

    const plan = await cli('plan', '--json');
    expect(plan.sync, 'the last run read the boards').not.toBeNull();
    // --verbose names each item sent and shows each size's quantity change.
    const verbose = await runCli(['plan', '--verbose'], { cwd: env.dir, env: { ...env.envVars, ORDERSYNC_CONFIG: env.configPath } });
    const createdItem = plan.sync.items.find((i: { operation: string }) => i.operation === 'create_item');
    expect(verbose.stdout).toContain(`${createdItem.key} "${createdItem.name}" [create_item] → group "${createdItem.group}"`);
    const updatedLine = plan.sync.lines.find((l: { operation: string }) => l.operation === 'update_subitem' || l.operation === 'zero_subitem');
    expect(verbose.stdout).toMatch(new RegExp(`sizes: .*${escape(`${updatedLine.size} ${updatedLine.from} → ${updatedLine.to}`)}`));
    const run = await cli('run', '--json');
    const done = run.sync.counts;
    const planned = Object.fromEntries(PLANNED_COUNTS.map((k) => [k, plan.sync.counts[k]]));
    expect(Object.fromEntries(PLANNED_COUNTS.map((k) => [k, done[k]]))).toEqual(planned);
    // The day has each kind of change, so equal counts are not equal zeros.
    expect(planned.groups_created).toBeGreaterThanOrEqual(2);
    expect(planned.items_created + planned.items_updated + planned.items_cancelled).toBeGreaterThan(0);
    expect(planned.subitems_created + planned.subitems_updated + planned.subitems_zeroed).toBeGreaterThan(0);
    expect(plan.merge.counts.skipped_cancelled).toBeGreaterThanOrEqual(2);
    expect(plan.estimate.mutations).toBe(run.sync.stats.mutations);
  }, 180_000);
});
