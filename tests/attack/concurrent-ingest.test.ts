import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nextDay, writeCsv } from '../../src/sampledata/index.js';
import { collect } from '../support/cli.js';
import { assertConverged, createRelEnv, type RelEnv } from '../reliability/support/env.js';
import { assertHonestBoard, cli, spawn, staging } from './support.js';

/**
 * `ordersync ingest --replace` of the next day's file while a `run` is syncing (its merge is
 * done; it is writing items). The ingest must load or refuse cleanly, the run must finish the
 * day it merged (the board equals that day's projection, its verdict OK), and the next run
 * must bring the board to the new day: nothing of the new file leaks into the running sync,
 * nothing is lost.
 */
describe('ingest while a run syncs', () => {
  let env: RelEnv | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it.each(['sqlite', 'postgres'] as const)('on %s', { timeout: 180_000 }, async (engine) => {
    const e = (env = await createRelEnv({ engine, latencyMs: 30, batchSize: 5 }));
    const day0 = staging(4500, 30);
    await e.load(day0);
    expect((await e.run()).status).toBe('OK');
    const want0 = await assertConverged(e, day0, `${engine}: day 0`);
    const day1 = [...nextDay(day0, { seed: 4501, changeShare: 0.6, newShare: 0.3, cancelShare: 0, vanishShare: 0 }).rows];
    await e.load(day1);
    const day2 = [...nextDay(day1, { seed: 4502, changeShare: 0.6, newShare: 0.3, cancelShare: 0, vanishShare: 0 }).rows];
    const file = join(e.dir, 'day-2.csv');
    await writeCsv(file, e.columns, day2);

    const base = e.emulator.stats().mutationRequests;
    const running = spawn(e, ['run', '--json']);
    const finished = collect(running, 120_000);
    // Wait for the run to be sending items (its merge is committed), then ingest under it.
    const deadline = Date.now() + 60_000;
    while (e.emulator.stats().mutationRequests - base < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(e.emulator.stats().mutationRequests - base, 'the run was writing when the ingest started').toBeGreaterThanOrEqual(2);
    // Each further write stalls 1.5 s (under the client's 2 s timeout) until the ingest is done, so
    // the run is still syncing then however slowly a loaded machine starts the ingest's process.
    e.emulator.faults.share(1, 'slow', 1, { mutationsOnly: true, delayMs: 1_500 });
    const ingest = await cli(e, ['ingest', file, '--replace']);
    e.emulator.faults.clear();
    expect(running.exitCode, 'the run was still syncing when the ingest ended').toBeNull();
    const run = await finished;
    expect([0, 4], `ingest: ${ingest.stdout}${ingest.stderr}`).toContain(ingest.code);
    expect(ingest.stderr).not.toMatch(/\n\s+at .*:\d+/);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const verdict = JSON.parse(run.stdout) as { status: string; merge: { counts: { staged_rows: number } } };
    expect(verdict.status).toBe('OK');
    expect(verdict.merge.counts.staged_rows, 'the run merged the day it started on').toBe(day1.length);
    // Sizes a day dropped stay on the board as zero subitems (line_delete_policy zero): chained projections.
    const want1 = await assertConverged(e, day1, `${engine}: the run that was syncing while the ingest ran`, { previous: want0 });

    const next = await cli(e, ['run']);
    expect(next.code, next.stdout + next.stderr).toBe(0);
    if (ingest.code === 0) await assertHonestBoard(e, day2, `${engine}: the run after the ingest`, { previous: want1 });
    else await assertHonestBoard(e, day1, `${engine}: the run after a refused ingest`, { previous: want0 });
    console.log(JSON.stringify({ suite: 'attack/concurrent-ingest', engine, ingest: ingest.code }));
  });
});
