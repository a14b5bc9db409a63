import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { runCutover } from '../../../src/jobs/cutover.js';
import { runRollback } from '../../../src/jobs/rollback.js';
import { unfinishedCutover, unfinishedRollback } from '../../../src/queue/unfinished.js';
import { generateStaging, KEY_COLUMN, nextDay, writeCsv, type StagingRow } from '../../../src/sampledata/index.js';
import { Rng } from '../../../src/sampledata/prng.js';
import { diffBoard, expectedBoard, readBoard } from '../../support/board.js';
import { collect, spawnCli } from '../../support/cli.js';
import { createRelEnv, ITEMS_BOARD, stateCounts, SUBITEMS_BOARD, type RelEnv } from './env.js';
import { recordFigures } from './figures.js';

export type ChaosOp = 'ingest' | 'run' | 'retry' | 'rollback' | 'cutover';
export const CHAOS_OPS: readonly ChaosOp[] = ['ingest', 'run', 'retry', 'rollback', 'cutover'];

export interface ChaosStep {
  op: ChaosOp;
  args: string[];
  killed: boolean;
  exit: number;
}

export interface ChaosOptions {
  seed: number;
  commands: number;
  orders: number;
  /** The board starts with the prior system's items: the sequence opens with a cutover. */
  prior: boolean;
}

export async function chaos(env: RelEnv, opts: ChaosOptions) {
  const rng = new Rng(opts.seed, 'chaos');
  const s = env.cfg.settings;
  // Days differ by quantities, sizes, header fields and new orders; cancellations and vanished
  // keys make the projection depend on which creations a rollback undid, so they stay out.
  const day = (rows: StagingRow[], n: number) => [...nextDay(rows, { seed: opts.seed * 100 + n, changeShare: 0.4, newShare: 0.15, cancelShare: 0, vanishShare: 0, reactivateShare: 0 }).rows];
  let rows: StagingRow[] = [...generateStaging({ seed: opts.seed, orders: opts.orders, customers: 2, mess: false }).rows];
  await env.load(rows);
  const priorSubitems = new Set<string>();
  if (opts.prior) {
    // The prior system's board: every order already there; ordersync's database starts empty.
    expect((await env.run()).status).toBe('OK');
    for (const id of env.emulator.store.boards.get(SUBITEMS_BOARD)?.items.keys() ?? []) priorSubitems.add(id);
    for (const t of ['order_lines', 'orders', 'sync_events', 'sync_runs', 'monday_groups'] as const) await env.db.kysely.deleteFrom(t).execute();
  }

  let pendingRows = rows;
  let days = 0;
  const steps: ChaosStep[] = [];
  for (let i = 0; i < opts.commands; i++) {
    const op: ChaosOp = i === 0 && opts.prior ? 'cutover' : (rng.pick(['ingest', 'ingest', 'run', 'run', 'retry', 'rollback', 'rollback', 'cutover'] as const) as ChaosOp);
    let args: string[];
    if (op === 'ingest') {
      pendingRows = day(rows, ++days);
      const file = join(env.dir, `day-${days}.csv`);
      await writeCsv(file, env.columns, pendingRows);
      args = ['ingest', file, '--replace'];
    } else if (op === 'rollback') {
      const target = await rollbackTarget(env);
      if (target === undefined) {
        i--;
        continue;
      }
      args = ['rollback', '--run', String(target)];
    } else if (op === 'cutover') {
      args = i === 0 && opts.prior ? ['cutover', '--baseline-only'] : ['cutover'];
    } else args = [op];

    const child = spawnCli(['--config', env.configPath, ...args], { cwd: env.dir, env: env.envVars });
    const kill = rng.chance(0.75) ? armKill(env, child, rng) : undefined;
    const r = await collect(child, 60_000).finally(() => kill?.disarm());
    const killed = kill?.killed() ?? false;
    if (killed) expect(r.code, r.stderr).toBe(137);
    else expect([0, 1, 2, 4], `${args.join(' ')}: ${r.stdout}${r.stderr}`).toContain(r.code);
    if (op === 'ingest') {
      // One transaction: either the new day is in staging or the old one still is.
      const keys = await sql<{ n: number }>`select count(distinct ${sql.ref(KEY_COLUMN)}) as n from ${sql.table(s.staging.table)}`.execute(env.db.raw);
      if (Number(keys.rows[0]?.n) === new Set(pendingRows.map((x) => x[KEY_COLUMN])).size) rows = pendingRows;
    }
    steps.push({ op, args, killed, exit: r.code });
    // Killed before the cutover wrote its first record, it never started as far as anyone can
    // tell (a run now would be the operator skipping the cutover): the operator starts it again.
    if (i === 0 && opts.prior && !(await env.db.kysely.selectFrom('sync_runs').select('id').where(sql.ref('command'), 'like', 'cutover:%').executeTakeFirst())) i--;
    if (process.env.CHAOS_DEBUG) console.log(`${i}: ${args.join(' ')} → ${r.code}${killed ? ' (killed)' : ''} ${r.code === 137 ? '' : r.stderr.slice(-300)}`);
  }

  // Driven to completion, the way the refusals tell the operator to.
  const envVars = { ...process.env, ...env.envVars } as NodeJS.ProcessEnv;
  const completion: string[] = [];
  for (let round = 0; round < 6; round++) {
    const rb = await unfinishedRollback(env.db, env.cfg.envName);
    if (rb) {
      completion.push(`rollback --run ${rb.targetRunId}`);
      await runRollback(env.db, env.cfg, rb.targetRunId, { envVars });
      continue;
    }
    if (await unfinishedCutover(env.db, env.cfg.envName)) {
      completion.push('cutover');
      await runCutover(env.cfg, { envVars, allowMassChange: true });
      continue;
    }
    completion.push('run');
    const done = await env.run({ allowMassChange: true });
    expect(done.status, done.verdict.summary).not.toBe('FAILED');
    const states = await stateCounts(env.db);
    if ((states.orders.PENDING ?? 0) + (states.lines.PENDING ?? 0) + (states.orders.IN_FLIGHT ?? 0) + (states.lines.IN_FLIGHT ?? 0) === 0) break;
  }

  await assertChaosInvariants(env, rows, priorSubitems, `chaos seed ${opts.seed}: ${steps.map((x) => `${x.args[0]}${x.killed ? '†' : ''}→${x.exit}`).join(', ')}; then ${completion.join(', ')}`);
  return { steps, completion };
}

/** The newest sync run not rolled back yet (or the one whose rollback was interrupted). */
async function rollbackTarget(env: RelEnv): Promise<number | undefined> {
  const unfinished = await unfinishedRollback(env.db, env.cfg.envName);
  if (unfinished) return unfinished.targetRunId;
  const runs = await env.db.kysely.selectFrom('sync_runs').select(['id', 'command', 'status', 'parent_run_id']).orderBy('id', 'desc').execute();
  const rolledBack = new Set(runs.filter((r) => r.command === 'rollback' && (r.status === 'OK' || r.status === 'DEGRADED')).map((r) => r.parent_run_id));
  return runs.find((r) => ['run', 'sync', 'retry', 'cutover:full', 'cutover:canary'].includes(r.command) && r.status !== 'RUNNING' && !rolledBack.has(r.id))?.id;
}

/** A random moment: a delay after spawn, or right after the n-th request reaches the emulator. */
function armKill(env: RelEnv, child: ChildProcess, rng: Rng): { killed(): boolean; disarm(): void } {
  let done = false;
  let exited = false;
  const kill = () => {
    if (done || exited) return;
    done = true;
    child.kill('SIGKILL');
  };
  let timer: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  if (rng.chance(0.5)) {
    // Commands here take 0.5–2 s (node start included): every moment of that span is a candidate.
    timer = setTimeout(kill, rng.int(100, 1200));
  } else {
    const base = env.emulator.stats().requests;
    const n = rng.int(1, 6);
    const extra = rng.int(0, 30);
    poll = setInterval(() => {
      if (env.emulator.stats().requests - base >= n) {
        clearInterval(poll);
        timer = setTimeout(kill, extra);
      }
    }, 2);
  }
  child.once('exit', () => {
    exited = true;
    if (timer) clearTimeout(timer);
    if (poll) clearInterval(poll);
  });
  return {
    killed: () => done,
    disarm: () => {
      if (timer) clearTimeout(timer);
      if (poll) clearInterval(poll);
    },
  };
}

async function assertChaosInvariants(env: RelEnv, rows: StagingRow[], priorSubitems: Set<string>, label: string): Promise<void> {
  const s = env.cfg.settings;
  const view = await readBoard(env.emulator, ITEMS_BOARD);
  const want = expectedBoard(rows, s);
  // Sizes staging dropped keep a zero subitem (line_delete_policy zero), and the baseline leaves
  // the prior system's subitems of sizes staging does not have as they are; nothing else may differ.
  const tolerated = (d: string) => {
    const m = /^(\S+) \(item \d+\): unexpected subitem (\S+) \(qty (\d+)\)$/.exec(d);
    return m !== null && (m[3] === '0' || priorSubitems.has(view.items.get(m[1] as string)?.subitems[m[2] as string]?.id ?? ''));
  };
  const diff = diffBoard(view, want).filter((d) => !tolerated(d));
  expect(diff, label).toEqual([]);
  expect([...view.duplicateKeys.keys()], `${label}: two active items share a key`).toEqual([]);

  const store = env.emulator.store;
  const lines = await env.db.kysely
    .selectFrom('order_lines as l')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .select(['o.order_key', 'o.monday_item_id', 'l.size', 'l.monday_subitem_id'])
    .where('l.monday_subitem_id', 'is not', null)
    .execute();
  const wrongParent = lines.filter((l) => store.items.get(l.monday_subitem_id as string)?.parentId !== l.monday_item_id).map((l) => `${l.order_key}/${l.size}`);
  expect(wrongParent, `${label}: subitems under another order's item`).toEqual([]);
  const shared = await env.db.kysely
    .selectFrom('orders')
    .select(['monday_item_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('monday_item_id', 'is not', null)
    .groupBy('monday_item_id')
    .having((eb) => eb.fn.countAll(), '>', 1)
    .execute();
  expect(shared, `${label}: order rows sharing an item id`).toEqual([]);
  const states = await stateCounts(env.db);
  expect((states.orders.PENDING ?? 0) + (states.orders.IN_FLIGHT ?? 0) + (states.lines.PENDING ?? 0) + (states.lines.IN_FLIGHT ?? 0), `${label}: ${JSON.stringify(states)}`).toBe(0);
}

/** One sequence in a fresh environment on `engine`; its figures are recorded under `variant`. */
export async function chaosSequence(opts: ChaosOptions & { engine: 'sqlite' | 'postgres'; variant: string }): Promise<{ steps: ChaosStep[]; completion: string[] }> {
  const started = Date.now();
  const env = await createRelEnv({ engine: opts.engine, latencyMs: 10, batchSize: 5 });
  try {
    const result = await chaos(env, opts);
    const killed = result.steps.filter((s) => s.killed);
    recordFigures('chaos', `${opts.variant}, ${env.actual}, seed ${opts.seed}${opts.prior ? ', prior board' : ''}`, {
      sequence: result.steps.map((x) => `${x.args[0]}${x.killed ? '†' : ''}→${x.exit}`).join(' '),
      commands: result.steps.length,
      killed: killed.length,
      byOp: Object.fromEntries(CHAOS_OPS.map((op) => [op, `${result.steps.filter((s) => s.op === op).length} run, ${killed.filter((s) => s.op === op).length} killed`])),
      refused: result.steps.filter((s) => s.exit === 4).length,
      completion: result.completion,
      ms: Date.now() - started,
    });
    return result;
  } finally {
    await env.close();
  }
}
