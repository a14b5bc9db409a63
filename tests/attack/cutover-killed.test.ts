import { afterEach, describe, expect, it } from 'vitest';
import type { RunCommand } from '../../src/db/types.js';
import type { StagingColumn, StagingRow } from '../../src/sampledata/index.js';
import { readBoard } from '../support/board.js';
import { createRelEnv, type RelEnv } from '../reliability/support/env.js';
import { assertHonestBoard, cli, ITEMS_BOARD, spawn, staging } from './support.js';
import { killWhen } from '../support/cli.js';

/**
 * `cutover --limit N` over a board the prior system filled, SIGKILLed in each of its phases
 * (preflight, baseline, canary, full), then what an operator types: `status`, `run` (refused
 * while the baseline is unfinished), `cutover` again, `run`. Staging differs from the prior
 * board (changed and new orders), so the canary and the full run write. Afterwards the board
 * read back over HTTP equals the projection, no key on two items. interrupted.test.ts kills
 * the baseline only, chaos.test.ts never runs a canary.
 */
type Phase = 'preflight' | 'baseline' | 'canary' | 'full';

/**
 * Staging a week after the prior system's last load: every third order with a new PO and one
 * more piece in its first size, and 12 new orders. No size is dropped: a prior-system subitem
 * of a size staging lacks is left on the board and is drift that stops the canary.
 */
function changedSincePrior(prior: StagingRow[], columns: StagingColumn[]): StagingRow[] {
  const sizes = columns.filter((c) => c.role === 'size').map((c) => c.name);
  const rows = prior.map((r, i) => {
    if (i % 3 !== 0) return r;
    const size = sizes.find((z) => typeof r[z] === 'number' && (r[z] as number) > 0);
    return { ...r, 'PO NUMBER': `${String(r['PO NUMBER'] ?? '')}-W2`, ...(size ? { [size]: (r[size] as number) + 1 } : {}) };
  });
  const fresh = staging(4401, 12).map((r) => ({ ...r, 'AAG ORDER NUMBER': `NEW-${String(r['AAG ORDER NUMBER'])}` }));
  return [...rows, ...fresh];
}

describe('cutover SIGKILLed in each phase, then the operator', () => {
  let env: RelEnv | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  /** The prior system's board holds every order; ordersync's database is empty; staging has moved on. */
  async function priorBoard(engine: 'sqlite' | 'postgres'): Promise<{ e: RelEnv; rows: StagingRow[] }> {
    const e = (env = await createRelEnv({ engine, latencyMs: 30, batchSize: 5 }));
    const prior = staging(4400, 40);
    await e.load(prior);
    expect((await e.run()).status).toBe('OK');
    for (const t of ['order_lines', 'orders', 'sync_events', 'sync_runs', 'monday_groups'] as const) await e.db.kysely.deleteFrom(t).execute();
    const rows = changedSincePrior(prior, e.columns);
    await e.load(rows);
    return { e, rows };
  }

  it.each<{ phase: Phase; engine: 'sqlite' | 'postgres' }>([
    { phase: 'preflight', engine: 'sqlite' },
    { phase: 'baseline', engine: 'sqlite' },
    { phase: 'canary', engine: 'sqlite' },
    { phase: 'full', engine: 'sqlite' },
    { phase: 'full', engine: 'postgres' },
  ])('killed in $phase ($engine)', { timeout: 180_000 }, async ({ phase, engine }) => {
    const { e, rows } = await priorBoard(engine);

    const record = async (command: RunCommand) => (await e.db.kysely.selectFrom('sync_runs').select('id').where('command', '=', command).executeTakeFirst()) !== undefined;
    let base: number | undefined;
    const ready = async (): Promise<boolean> => {
      if (phase === 'preflight') return record('cutover:preflight');
      if (phase === 'baseline') return Number((await e.db.kysely.selectFrom('sync_events').select((eb) => eb.fn.countAll<number>().as('n')).where('outcome', '=', 'ADOPTED').executeTakeFirst())?.n ?? 0) > 0;
      if (!(await record(`cutover:${phase}`))) return false;
      base ??= e.emulator.stats().requests;
      return e.emulator.stats().requests - base >= 2;
    };
    const { result, killed } = await killWhen(spawn(e, ['cutover', '--limit', '5']), ready);
    expect(killed, `the kill landed in ${phase}: ${result.stdout}${result.stderr}`).toBe(true);
    expect(result.code).toBe(137);
    expect([...(await readBoard(e.emulator, ITEMS_BOARD)).duplicateKeys.keys()], 'no key on two items after the kill').toEqual([]);

    const status = await cli(e, ['status']);
    expect(status.code, status.stdout + status.stderr).not.toBe(1);
    expect(status.stderr).not.toMatch(/\n\s+at .*:\d+/);

    // A killed canary is the next test's case; a killed full run is finished by any run.
    if (phase !== 'canary') {
      const run = await cli(e, ['run']);
      if (phase === 'preflight' || phase === 'baseline') {
        expect(run.code, run.stdout + run.stderr).toBe(4);
        expect(run.stderr).toContain('ordersync cutover');
      } else {
        expect(run.code, run.stdout + run.stderr).toBe(0);
      }
      expect([...(await readBoard(e.emulator, ITEMS_BOARD)).duplicateKeys.keys()], 'no key on two items after the run').toEqual([]);
    }

    const again = await cli(e, ['cutover', '--limit', '5']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const next = await cli(e, ['run']);
    expect(next.code, next.stdout + next.stderr).toBe(0);
    await assertHonestBoard(e, rows, `cutover killed in ${phase}, resumed`);
    const runs = await e.db.kysely.selectFrom('sync_runs').select(['id', 'command', 'status']).orderBy('id').execute();
    expect(runs.filter((r) => r.status === 'RUNNING'), 'no run record left RUNNING').toEqual([]);
    console.log(JSON.stringify({ suite: 'attack/cutover-killed', phase, engine, runs: runs.map((r) => `${r.command}:${r.status}`) }));
  });

  // SPEC §6: "an unfinished rollback or cutover blocks run until resumed". This failed while the
  // refusal (src/queue/unfinished.ts) looked at the baseline only: after a killed canary `run`
  // synced every order, and the canary the operator asked for gated nothing.
  it('a run after a killed canary is refused until the cutover is resumed', { timeout: 180_000 }, async () => {
    const { e } = await priorBoard('sqlite');
    let base: number | undefined;
    const { killed } = await killWhen(spawn(e, ['cutover', '--limit', '5']), async () => {
      if ((await e.db.kysely.selectFrom('sync_runs').select('id').where('command', '=', 'cutover:canary').executeTakeFirst()) === undefined) return false;
      base ??= e.emulator.stats().requests;
      return e.emulator.stats().requests - base >= 2;
    });
    expect(killed).toBe(true);
    const run = await cli(e, ['run']);
    expect(run.code, run.stdout + run.stderr).toBe(4);
    expect(run.stderr).toContain('ordersync cutover');
  });
});
