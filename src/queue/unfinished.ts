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
 * A cutover that has not got past its gates: its baseline has not finished OK (killed or
 * failed part-way, some orders adopted and the others not, or not reached yet because the
 * cutover was killed in its preflight), or its canary was started and never finished OK
 * (killed, failed or DEGRADED) while no full run followed. Until the baseline is done the board
 * holds the prior system's items and a run would create the orders not yet adopted again next to
 * them; until the canary is done a run would sync every order past the gate the operator asked for.
 */
export async function unfinishedCutover(db: Db, env: string, opts: { cutoverStep?: boolean } = {}): Promise<{ runId: number; why: string; step: 'baseline' | 'canary' } | undefined> {
  const latest = (command: RunCommand) => db.kysely.selectFrom('sync_runs').select(['id', 'status']).where('env', '=', env).where('command', '=', command).orderBy('id', 'desc').executeTakeFirst();
  const baseline = await latest('cutover:baseline');
  if (baseline && baseline.status !== 'OK') return { runId: baseline.id, why: `baseline run ${baseline.id} is ${baseline.status}`, step: 'baseline' };
  if (!baseline) {
    const preflight = await latest('cutover:preflight');
    return preflight ? { runId: preflight.id, why: `cutover run ${preflight.id} stopped before its baseline`, step: 'baseline' } : undefined;
  }
  // The cutover's own canary and full run are how it is resumed.
  if (opts.cutoverStep) return undefined;
  const root = await db.kysely.selectFrom('sync_runs').select('id').where('env', '=', env).where('command', '=', 'cutover:preflight').where('parent_run_id', 'is', null).orderBy('id', 'desc').executeTakeFirst();
  if (!root) return undefined;
  const steps = await db.kysely.selectFrom('sync_runs').select(['id', 'command', 'status']).where('parent_run_id', '=', root.id).where('command', 'in', ['cutover:canary', 'cutover:full']).orderBy('id', 'desc').execute();
  const canaries = steps.filter((r) => r.command === 'cutover:canary');
  if (steps.some((r) => r.command === 'cutover:full') || canaries.length === 0 || canaries.some((r) => r.status === 'OK')) return undefined;
  const canary = canaries[0] as (typeof canaries)[number];
  return { runId: canary.id, why: `canary run ${canary.id} is ${canary.status}`, step: 'canary' };
}

/**
 * Called under the run lock before a job of the environment writes anything; `cutoverStep`
 * for the cutover's own canary and full run, which an unfinished canary must not refuse.
 */
export async function refuseUnfinished(db: Db, env: string, opts: { cutoverStep?: boolean } = {}): Promise<void> {
  const rollback = await unfinishedRollback(db, env);
  if (rollback) {
    throw new UnfinishedJobError(
      `the rollback of run ${rollback.targetRunId} in "${env}" did not finish (rollback run ${rollback.rollbackRunId} was interrupted); nothing was synced: resume with \`ordersync rollback --run ${rollback.targetRunId}\``,
    );
  }
  const cutover = await unfinishedCutover(db, env, opts);
  if (cutover?.step === 'canary') {
    throw new UnfinishedJobError(
      `the cutover of "${env}" did not get past its canary (${cutover.why}): a run now would sync every order past the gate. Nothing was synced: resume with \`ordersync cutover\` (with --limit or --customer it runs the canary again, without it goes on to the full run)`,
    );
  }
  if (cutover) {
    const adopted = await db.kysely.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).where('monday_item_id', 'is not', null).executeTakeFirst();
    throw new UnfinishedJobError(
      `the cutover baseline of "${env}" did not finish (${cutover.why}; ${Number(adopted?.n ?? 0)} order(s) adopted so far): a run now would create the others again next to their items on the board. Nothing was synced: finish it with \`ordersync cutover\``,
    );
  }
}
