import type { ChildProcess } from 'node:child_process';
import { expect } from 'vitest';
import type { Item } from '../../../src/emulator/index.js';
import { generateStaging, nextDay, type StagingRow } from '../../../src/sampledata/index.js';
import type { ExpectedBoard } from '../../support/board.js';
import { collect, spawnCli } from '../../support/cli.js';
import { assertConverged, ITEMS_BOARD, stateCounts, SUBITEMS_BOARD, type RelEnv } from './env.js';
import { Rng } from '../../../src/sampledata/prng.js';

export type KillMode = 'merge' | 'request' | 'item-create' | 'subitem-create';
const MODES: KillMode[] = ['merge', 'request', 'item-create', 'subitem-create'];

export interface CrashIteration {
  i: number;
  mode: KillMode;
  killed: boolean;
  exit: number;
  inFlightAfterKill: number;
  adopted: number;
  requests: number;
}

/**
 * Arms a SIGKILL of `child` at the moment `mode` names:
 * - merge: as soon as the child's run record appears (merge runs right after it);
 * - request: once the emulator has seen `n` more requests, plus a few ms (mid-request);
 * - item-create / subitem-create: from inside the emulator, right after it applied the
 *   n-th create on that board: applied on monday, the answer never reaches the child.
 */
function armKill(env: RelEnv, child: ChildProcess, mode: KillMode, n: number, extraMs: number, runsBefore: number): { killed(): boolean; disarm(): void } {
  let done = false;
  const kill = () => {
    if (done) return;
    done = true;
    child.kill('SIGKILL');
  };
  const store = env.emulator.store;
  const original = store.addItem;
  let timer: NodeJS.Timeout | undefined;
  if (mode === 'item-create' || mode === 'subitem-create') {
    const board = mode === 'item-create' ? ITEMS_BOARD : SUBITEMS_BOARD;
    let seen = 0;
    store.addItem = function (this: typeof store, ...args: Parameters<typeof original>): Item {
      const item = original.apply(this, args);
      if (item.boardId === board && ++seen >= n) kill();
      return item;
    };
  } else if (mode === 'request') {
    const base = env.emulator.stats().requests;
    timer = setInterval(() => {
      if (env.emulator.stats().requests - base >= n) {
        clearInterval(timer);
        setTimeout(kill, extraMs);
      }
    }, 2);
  } else {
    let busy = false;
    timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void env.db.kysely
        .selectFrom('sync_runs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst()
        .then((r) => {
          if (Number(r?.n ?? 0) > runsBefore) {
            clearInterval(timer);
            kill();
          }
        })
        .catch(() => undefined)
        .finally(() => (busy = false));
    }, 2);
  }
  return {
    killed: () => done,
    disarm: () => {
      store.addItem = original;
      if (timer) clearInterval(timer);
    },
  };
}

/**
 * The crash loop: `iterations` days of staging changes; each day a real `ordersync run`
 * child is SIGKILLed at a seeded moment, then a run completes in-process and the board
 * must equal the projection (no duplicate, nothing missing, every row settled).
 */
export async function crashLoop(env: RelEnv, opts: { iterations: number; seed: number; orders: number }): Promise<CrashIteration[]> {
  // Seeded, so a failing iteration replays exactly.
  const rng = new Rng(opts.seed);
  const rnd = () => rng.next();
  let rows: StagingRow[] = [...generateStaging({ seed: opts.seed, orders: opts.orders, customers: 3, mess: { duplicateShare: 0.04, cancelledShare: 0.04, emptyKeyShare: 0.02, blankRowShare: 0 } }).rows];
  let board: ExpectedBoard = new Map();
  const out: CrashIteration[] = [];
  for (let i = 0; i < opts.iterations; i++) {
    if (i > 0) rows = [...nextDay(rows, { seed: opts.seed * 1000 + i, changeShare: 0.3, newShare: 0.08, cancelShare: 0.03, vanishShare: 0.03, reactivateShare: 0.3 }).rows];
    await env.load(rows);
    const mode = MODES[Math.floor(rnd() * MODES.length)] as KillMode;
    const n = 1 + Math.floor(rnd() * (mode === 'request' ? 8 : mode === 'item-create' ? 3 : 12));
    const runsBefore = Number((await env.db.kysely.selectFrom('sync_runs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0);
    const t0 = Date.now();
    const child = spawnCli(['--config', env.configPath, 'run', '--allow-mass-change'], { cwd: env.dir, env: env.envVars });
    const arm = armKill(env, child, mode, n, Math.floor(rnd() * 40), runsBefore);
    const r = await collect(child, 60_000).finally(() => arm.disarm());
    const killed = arm.killed();
    if (process.env.CRASH_DEBUG) console.log(`iteration ${i} ${mode} #${n}: exit ${r.code} killed ${arm.killed()} after ${Date.now() - t0} ms`, r.code === 137 ? '' : r.stderr.slice(-1500));
    if (killed) expect(r.code, r.stderr).toBe(137);
    else expect([0, 1, 3], `iteration ${i}: ${r.stderr}`).toContain(r.code);
    const after = await stateCounts(env.db);
    const inFlight = (after.orders.IN_FLIGHT ?? 0) + (after.lines.IN_FLIGHT ?? 0);

    const done = await env.run({ allowMassChange: true });
    const label = `crash iteration ${i} (seed ${opts.seed}, kill ${mode} #${n}${killed ? '' : ', child finished first'})`;
    expect(done.status, `${label}: ${done.verdict.summary}`).not.toBe('FAILED');
    board = await assertConverged(env, rows, label, { previous: board });
    const states = await stateCounts(env.db);
    const unsettled = ['PENDING', 'IN_FLIGHT'].map((s) => (states.orders[s] ?? 0) + (states.lines[s] ?? 0)).reduce((a, b) => a + b, 0);
    expect(unsettled, `${label}: ${JSON.stringify(states)}`).toBe(0);
    out.push({
      i,
      mode,
      killed,
      exit: r.code,
      inFlightAfterKill: inFlight,
      adopted: (done.sync?.counts.adopted_items ?? 0) + (done.sync?.counts.adopted_subitems ?? 0),
      requests: done.sync?.stats.requests ?? 0,
    });
  }
  return out;
}
