import { applyBatch, recordFailures, type Stop } from './applier.js';
import type { Phase, SyncContext } from './context.js';
import type { Decision, Unit } from './operations.js';
import { reconcileInFlight } from './reconcile.js';

/**
 * A phase's planned units, sent in requests of at most batch_size mutations (a unit may carry
 * two: update + move). Rows whose answer was lost are looked up on the board before the next
 * request, so the run carries on with the truth; a stop ends the phase with the rest still
 * queued. `sent` hears of each request written back.
 */
async function sendInBatches(ctx: SyncContext, units: readonly Unit[], sent: (n: number) => void): Promise<Stop | undefined> {
  for (let i = 0; i < units.length; ) {
    const batch: Unit[] = [];
    let n = 0;
    while (i < units.length && (batch.length === 0 || n + (units[i]?.ops.length ?? 0) <= ctx.board.batchSize)) {
      const u = units[i++] as Unit;
      batch.push(u);
      n += u.ops.length;
    }
    const applied = await applyBatch(ctx, batch);
    if (applied.unknown.orders.length + applied.unknown.lines.length > 0) await reconcileInFlight(ctx, applied.unknown);
    if (applied.stop) return applied.stop;
    sent(batch.length);
  }
  return undefined;
}

/**
 * One page of a phase, as the planner decided it row by row: failures before any request are
 * recorded, rows with nothing to send settled (`settle`), the rest sent. `progress.done` counts
 * the rows done so far in the phase.
 */
export async function applyDecisions<R>(
  ctx: SyncContext,
  phase: Phase,
  decided: ReadonlyArray<{ row: R; decision: Decision }>,
  settle: (rows: R[]) => Promise<void>,
  progress: { done: number; total: number },
): Promise<Stop | undefined> {
  const units: Unit[] = [];
  const failed: Array<Decision & { kind: 'failed' }> = [];
  const unchanged: R[] = [];
  for (const { row, decision } of decided) {
    if (decision.kind === 'send') units.push(decision.unit);
    else if (decision.kind === 'failed') failed.push(decision);
    else unchanged.push(row);
  }
  await recordFailures(ctx, failed.map((f) => f.row), (i) => (failed[i] as (typeof failed)[number]).failure);
  await settle(unchanged);
  progress.done += failed.length + unchanged.length;
  const stop = await sendInBatches(ctx, units, (n) => {
    progress.done += n;
    ctx.progress(phase, progress.done, progress.total);
  });
  if (stop) return stop;
  ctx.progress(phase, progress.done, progress.total);
  return undefined;
}
