import type { Db } from '../../../src/db/connect.js';
import type { StagingRow } from '../../../src/sampledata/index.js';
import { assertBoardMatches, diffBoard, expectedBoard, readBoard, type ExpectedBoard } from '../../support/board.js';
import { createSyncEnv, ITEMS_BOARD, SUBITEMS_BOARD, type SyncEnv, type SyncEnvOptions } from '../../support/sync-env.js';

export { ITEMS_BOARD, SUBITEMS_BOARD };

export type RelEnvOptions = Partial<SyncEnvOptions>;

/**
 * A reliability test environment: tests/support/sync-env.ts with a short client timeout,
 * small batches and SQLite unless said otherwise.
 */
export type RelEnv = SyncEnv;

export function createRelEnv(opts: RelEnvOptions = {}): Promise<RelEnv> {
  return createSyncEnv({ ...opts, engine: opts.engine ?? 'sqlite', batchSize: opts.batchSize ?? 10, timeoutMs: opts.timeoutMs ?? 2_000, maxRetries: opts.maxRetries ?? 6 });
}

/** Board vs projection, the list of differences plus counts of every row state. */
export async function boardCheck(env: RelEnv, rows: StagingRow[], opts: { previous?: ExpectedBoard } = {}) {
  const want = expectedBoard(rows, env.cfg.settings, { previous: opts.previous });
  const view = await readBoard(env.emulator, ITEMS_BOARD);
  return { want, view, diff: diffBoard(view, want) };
}

export async function assertConverged(env: RelEnv, rows: StagingRow[], label: string, opts: { previous?: ExpectedBoard } = {}): Promise<ExpectedBoard> {
  const want = expectedBoard(rows, env.cfg.settings, { previous: opts.previous });
  const view = await readBoard(env.emulator, ITEMS_BOARD);
  assertBoardMatches(view, want, label);
  // No subitem created twice behind the item's back either (archived/deleted included).
  const subs = [...(env.emulator.store.boards.get(SUBITEMS_BOARD)?.items.values() ?? [])].filter((s) => s.state === 'active');
  const expectedSubs = [...want.values()].reduce((n, i) => n + Object.keys(i.subitems).length, 0);
  if (subs.length !== expectedSubs) throw new Error(`${label}: ${subs.length} active subitems on the board, ${expectedSubs} expected`);
  return want;
}

/** Row states, for "every row SYNCED or legitimately SKIPPED/ERROR". */
export async function stateCounts(db: Db): Promise<{ orders: Record<string, number>; lines: Record<string, number> }> {
  const o = await db.kysely.selectFrom('orders').select(['sync_state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('sync_state').execute();
  const l = await db.kysely.selectFrom('order_lines').select(['sync_state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('sync_state').execute();
  return { orders: Object.fromEntries(o.map((r) => [r.sync_state, Number(r.n)])), lines: Object.fromEntries(l.map((r) => [r.sync_state, Number(r.n)])) };
}
