import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { Item, ItemState } from '../../src/emulator/index.js';
import { generateStaging, nextDay, type StagingRow } from '../../src/sampledata/index.js';
import { expectedBoard, readBoard } from '../support/board.js';
import { collect, killWhen, runCli, spawnCli, type CliResult } from '../support/cli.js';
import { assertConverged, createRelEnv, ITEMS_BOARD, SUBITEMS_BOARD, type RelEnv, type RelEnvOptions } from './support/env.js';

/**
 * Issue 12 §1, §2, §5: the operator's other commands attacked the way `run` was. A real
 * `ordersync rollback` or `ordersync cutover` child is SIGKILLed at a deterministic moment
 * (after its first batch committed, or inside the emulator right after it applied the first
 * archive), then the operator types the next command. Afterwards the board, read back from
 * the emulator, must equal the projection: no duplicate item for a key, no subitem twice.
 */
describe('interrupted rollback and cutover', () => {
  let env: RelEnv | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  const open = async (opts: RelEnvOptions = {}) => (env = await createRelEnv({ latencyMs: 40, batchSize: 5, ...opts }));
  const cli = (e: RelEnv, args: string[]): Promise<CliResult> => runCli(['--config', e.configPath, ...args], { cwd: e.dir, env: e.envVars, timeoutMs: 60_000 });
  const spawn = (e: RelEnv, args: string[]): ChildProcess => spawnCli(['--config', e.configPath, ...args], { cwd: e.dir, env: e.envVars });
  const staging = (seed: number, orders: number): StagingRow[] => [...generateStaging({ seed, orders, customers: 2, mess: false }).rows];
  const count = async (e: RelEnv, outcome: 'ROLLED_BACK' | 'ADOPTED'): Promise<number> =>
    Number((await e.db.kysely.selectFrom('sync_events').select((eb) => eb.fn.countAll<number>().as('n')).where('outcome', '=', outcome).executeTakeFirst())?.n ?? 0);



  /** SIGKILLs `child` from inside the emulator, right after it archived its first item: applied, never answered. */
  const killOnFirstArchive = async (e: RelEnv, child: ChildProcess): Promise<CliResult> => {
    const store = e.emulator.store;
    const original = store.setState;
    store.setState = function (this: typeof store, item: Item, state: ItemState) {
      original.call(this, item, state);
      if (state === 'archived') child.kill('SIGKILL');
    };
    try {
      return await collect(child, 60_000);
    } finally {
      store.setState = original;
    }
  };

  const activeSubitems = (e: RelEnv) => [...(e.emulator.store.boards.get(SUBITEMS_BOARD)?.items.values() ?? [])].filter((s) => s.state === 'active').length;

  /** §1: whatever the moment of the kill, `run` refuses, the rollback resumes, and the next run converges. */
  async function killedRollbackThenRun(e: RelEnv, kill: (child: ChildProcess) => Promise<CliResult>): Promise<void> {
    const rows = staging(1201, 14);
    await e.load(rows);
    const first = await e.run();
    expect(first.status, first.verdict.summary).toBe('OK');
    await assertConverged(e, rows, 'after the first run');

    const r = await kill(spawn(e, ['rollback', '--run', String(first.runId)]));
    expect(r.code, r.stderr).toBe(137);
    const killedRun = await e.db.kysely.selectFrom('sync_runs').selectAll().where('command', '=', 'rollback').orderBy('id', 'desc').executeTakeFirstOrThrow();

    // The operator's next command: a plain run (and the others that sync) must not start.
    for (const command of [['run'], ['sync'], ['retry'], ['verify', '--fix']]) {
      const refused = await cli(e, command);
      expect(refused.code, `${command.join(' ')}: ${refused.stdout}${refused.stderr}`).toBe(4);
      expect(refused.stderr).toContain(`resume with \`ordersync rollback --run ${first.runId}\``);
    }
    // The scheduler's tick (`serve --schedule`) runs the same job in-process: refused the same way.
    await expect(e.run()).rejects.toThrow(`resume with \`ordersync rollback --run ${first.runId}\``);
    const untouched = await e.db.kysely.selectFrom('sync_runs').selectAll().where('id', '=', killedRun.id).executeTakeFirstOrThrow();
    expect(untouched.error ?? '').not.toContain('reconciled what it left in flight');

    const resumed = await cli(e, ['rollback', '--run', String(first.runId)]);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    const view = await readBoard(e.emulator, ITEMS_BOARD);
    expect([...view.items.keys()], 'every item the run created is archived').toEqual([]);
    expect(activeSubitems(e)).toBe(0);
    const aborted = await e.db.kysely.selectFrom('sync_runs').selectAll().where('id', '=', killedRun.id).executeTakeFirstOrThrow();
    expect(aborted.status).toBe('ABORTED');
    expect(aborted.error).toMatch(/resumed by rollback run \d+/);

    const again = await cli(e, ['run']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    await assertConverged(e, rows, 'the run after the resumed rollback');
  }

  it('§1 rollback SIGKILLed after a batch committed: run refuses (exit 4), the rollback resumes, no subitem twice', { timeout: 120_000 }, async () => {
    const e = await open();
    await killedRollbackThenRun(e, (child) => killWhen(child, async () => (await count(e, 'ROLLED_BACK')) > 0).then((x) => x.result));
  });

  it('§1 on PostgreSQL: rollback SIGKILLed after a batch committed, run refuses, the rollback resumes', { timeout: 120_000 }, async () => {
    const e = await open({ engine: 'postgres' });
    await killedRollbackThenRun(e, (child) => killWhen(child, async () => (await count(e, 'ROLLED_BACK')) > 0).then((x) => x.result));
  });

  it('§1 rollback SIGKILLed mid-request (archive applied, answer lost): run refuses, the resume finds it archived', { timeout: 120_000 }, async () => {
    const e = await open();
    await killedRollbackThenRun(e, (child) => killOnFirstArchive(e, child));
  });

  it('§2 cutover SIGKILLed with the baseline partly adopted: run refuses, naming `ordersync cutover`; no duplicates', { timeout: 150_000 }, async () => {
    const e = await open({ latencyMs: 120 });
    const rows = staging(1202, 130);
    await e.load(rows);
    // The prior system's board: every order already there. Then ordersync's database starts empty.
    expect((await e.run()).status).toBe('OK');
    for (const t of ['order_lines', 'orders', 'sync_events', 'sync_runs', 'monday_groups'] as const) await e.db.kysely.deleteFrom(t).execute();

    const { result, killed } = await killWhen(spawn(e, ['cutover', '--baseline-only']), async () => (await count(e, 'ADOPTED')) > 0);
    expect(killed, result.stdout + result.stderr).toBe(true);
    const adopted = await e.db.kysely.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).where('monday_item_id', 'is not', null).executeTakeFirst();
    expect(Number(adopted?.n)).toBeGreaterThan(0);
    expect(Number(adopted?.n)).toBeLessThan(130);

    for (const command of ['run', 'sync']) {
      const refused = await cli(e, [command]);
      expect(refused.code, `${command}: ${refused.stdout}${refused.stderr}`).toBe(4);
      expect(refused.stderr).toContain('ordersync cutover');
    }
    const view = await readBoard(e.emulator, ITEMS_BOARD);
    expect([...view.duplicateKeys.keys()]).toEqual([]);

    const resumed = await cli(e, ['cutover']);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    await assertConverged(e, rows, 'after the resumed cutover');
    const baselines = await e.db.kysely.selectFrom('sync_runs').select(['status', 'error']).where('command', '=', 'cutover:baseline').orderBy('id').execute();
    expect(baselines.map((b) => b.status)).toEqual(['ABORTED', 'OK']);
    expect(baselines[0]?.error).toMatch(/resumed by cutover:baseline run \d+/);
    expect((await cli(e, ['run'])).code).toBe(0);
    await assertConverged(e, rows, 'a run after the cutover');
  });

  it('§5 rollback newest first: runs already rolled back do not block; the groups the first run created go', { timeout: 150_000 }, async () => {
    const e = await open({ latencyMs: 5 });
    const seedGroups = readBoardGroups(e);
    let rows = staging(1205, 10);
    const runs: number[] = [];
    for (let day = 0; day < 3; day++) {
      if (day > 0) rows = [...nextDay(rows, { seed: 1205 + day, changeShare: 0.6, newShare: 0, cancelShare: 0, vanishShare: 0 }).rows];
      await e.load(rows);
      const r = await e.run();
      expect(r.status, r.verdict.summary).toBe('OK');
      runs.push(r.runId);
    }
    for (const id of [...runs].reverse()) {
      const rb = await cli(e, ['rollback', '--run', String(id)]);
      expect(rb.code, `rollback --run ${id}: ${rb.stdout}${rb.stderr}`).toBe(0);
    }
    const view = await readBoard(e.emulator, ITEMS_BOARD);
    expect([...view.items.keys()]).toEqual([]);
    expect(activeSubitems(e)).toBe(0);
    expect(readBoardGroups(e), 'groups created by the first run are removed once empty').toEqual(seedGroups);
    expect(await e.db.kysely.selectFrom('monday_groups').selectAll().execute()).toEqual([]);

    const again = await cli(e, ['run']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    await assertConverged(e, rows, 'the run after three rollbacks');
  });

  it('§5 a run whose creations were adopted after a lost response is undone completely', { timeout: 120_000 }, async () => {
    const e = await open({ latencyMs: 5, maxRetries: 0 });
    const rows = staging(1206, 12);
    await e.load(rows);
    // The groups exist already, so the first mutation request is an item batch: its answer is lost.
    const board = e.emulator.store.boards.get(ITEMS_BOARD);
    if (!board) throw new Error('no items board');
    for (const title of new Set([...expectedBoard(rows, e.cfg.settings).values()].map((i) => i.group))) e.emulator.store.addGroup(board, { title }, { at: 'bottom' });
    e.emulator.faults.next(1, 'drop_after_commit', { mutationsOnly: true });
    const lossy = await e.run();
    expect(lossy.sync?.counts.adopted_items ?? 0, lossy.verdict.summary).toBeGreaterThan(0);

    const rb = await cli(e, ['rollback', '--run', String(lossy.runId)]);
    expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    const view = await readBoard(e.emulator, ITEMS_BOARD);
    expect([...view.items.keys()], 'adopted creations are archived like the others').toEqual([]);
    expect(activeSubitems(e)).toBe(0);

    const again = await cli(e, ['run']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    await assertConverged(e, rows, 'the run after rolling back the lossy run');
  });
});

function readBoardGroups(e: RelEnv): string[] {
  const board = e.emulator.store.boards.get(ITEMS_BOARD);
  return board ? e.emulator.store.activeGroups(board).map((g) => g.title).sort() : [];
}
