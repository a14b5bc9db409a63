import type { Db, RunCommand, RunStatus } from '../db/index.js';
import { ExitCode, OrdersyncError } from '../errors.js';

/** Idempotency keys (and row in-flight markers) of rollback requests: `ordersync-rollback-<rollback run>-<uuid>`. */
export const ROLLBACK_KEY_PREFIX = 'ordersync-rollback-';

/** A job the environment must finish before it syncs again: exit 4, naming the command that finishes it. */
export class UnfinishedJobError extends OrdersyncError {
  constructor(message: string) {
    super(message, ExitCode.locked);
  }
}

export interface UnfinishedRollback {
  /** The run being rolled back. */
  targetRunId: number;
  /** Its latest rollback attempt. */
  rollbackRunId: number;
}

/**
 * A rollback that did not get to its end: its latest attempt is RUNNING (called under the
 * environment's run lock, so its process is gone) or ABORTED, or rows are still in flight
 * under one of its requests. Syncing now would send the half-undone rows' work again.
 */
export async function unfinishedRollback(db: Db, env: string): Promise<UnfinishedRollback | undefined> {
  const attempts = await db.kysely.selectFrom('sync_runs').select(['id', 'parent_run_id', 'status']).where('env', '=', env).where('command', '=', 'rollback').orderBy('id', 'desc').execute();
  const latest = new Map<number, { id: number; status: RunStatus }>();
  for (const a of attempts) if (a.parent_run_id !== null && !latest.has(a.parent_run_id)) latest.set(a.parent_run_id, a);
  const inFlight = new Set<number>();
  for (const table of ['orders', 'order_lines'] as const) {
    const rows = await db.kysely.selectFrom(table).select('idempotency_key').distinct().where('sync_state', '=', 'IN_FLIGHT').where('idempotency_key', 'like', `${ROLLBACK_KEY_PREFIX}%`).execute();
    for (const r of rows) inFlight.add(Number.parseInt((r.idempotency_key ?? '').slice(ROLLBACK_KEY_PREFIX.length), 10));
  }
  for (const [targetRunId, a] of latest) {
    if (a.status === 'RUNNING' || a.status === 'ABORTED' || inFlight.has(a.id)) return { targetRunId, rollbackRunId: a.id };
  }
  return undefined;
}

/**
 * A cutover whose baseline has not finished OK: killed or failed part-way (some orders
 * adopted, the others not), or not reached yet (the cutover was killed in its preflight). The
 * board holds the prior system's items, and a run would create the orders not yet adopted
 * again next to them.
 */
export async function unfinishedBaseline(db: Db, env: string): Promise<{ runId: number; why: string } | undefined> {
  const latest = (command: RunCommand) => db.kysely.selectFrom('sync_runs').select(['id', 'status']).where('env', '=', env).where('command', '=', command).orderBy('id', 'desc').executeTakeFirst();
  const baseline = await latest('cutover:baseline');
  if (baseline) return baseline.status === 'OK' ? undefined : { runId: baseline.id, why: `baseline run ${baseline.id} is ${baseline.status}` };
  const preflight = await latest('cutover:preflight');
  return preflight ? { runId: preflight.id, why: `cutover run ${preflight.id} stopped before its baseline` } : undefined;
}

/** Called under the run lock before a job of the environment writes anything. */
export async function refuseUnfinished(db: Db, env: string): Promise<void> {
  const rollback = await unfinishedRollback(db, env);
  if (rollback) {
    throw new UnfinishedJobError(
      `the rollback of run ${rollback.targetRunId} in "${env}" did not finish (rollback run ${rollback.rollbackRunId} was interrupted); nothing was synced: resume with \`ordersync rollback --run ${rollback.targetRunId}\``,
    );
  }
  const baseline = await unfinishedBaseline(db, env);
  if (baseline) {
    const adopted = await db.kysely.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).where('monday_item_id', 'is not', null).executeTakeFirst();
    throw new UnfinishedJobError(
      `the cutover baseline of "${env}" did not finish (${baseline.why}; ${Number(adopted?.n ?? 0)} order(s) adopted so far): a run now would create the others again next to their items on the board. Nothing was synced: finish it with \`ordersync cutover\``,
    );
  }
}
