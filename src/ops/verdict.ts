import type { Settings } from '../config/schema.js';
import type { RunStatus } from '../db/types.js';
import type { MergeSummary } from '../merge/index.js';
import type { SyncResult } from '../sync/index.js';

export interface Verdict {
  status: RunStatus;
  /** Records attempted (cancellations counted on their own, outside the rate). */
  attempted: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  successRate: number | null;
  summary: string;
}

/**
 * Success is measured in records (items and subitems), never in batches, and cancelled
 * orders are counted apart so a day of cancellations does not read as a bad sync.
 */
/** What the post-run read-back found: the board differs from what this run says it wrote. */
export interface ProofSummary {
  items: number;
  findings: number;
}

export function verdictOf(alerts: Settings['alerts'], m: MergeSummary | undefined, s: SyncResult | undefined, proof?: ProofSummary): Verdict {
  const c = s?.counts;
  const succeeded = c ? c.items_created + c.items_updated + c.items_archived + c.subitems_created + c.subitems_updated + c.subitems_zeroed + c.subitems_removed : 0;
  const failed = c ? c.items_failed + c.subitems_failed : 0;
  const cancelled = c?.items_cancelled ?? 0;
  const attempted = succeeded + failed;
  const successRate = attempted === 0 ? null : succeeded / attempted;
  let status: RunStatus = 'OK';
  if (s?.stopped) status = 'FAILED';
  else if (successRate !== null && successRate < alerts.success_degraded) status = 'FAILED';
  else if (successRate !== null && successRate < alerts.success_ok) status = 'DEGRADED';
  else if (failed > 0) status = 'DEGRADED';
  // Every request answered OK, yet the board read back says otherwise: not an OK run.
  if (status === 'OK' && proof && proof.findings > 0) status = 'DEGRADED';
  const rate = successRate === null ? 'nothing to sync' : `${(successRate * 100).toFixed(1)}% of ${attempted} records`;
  const summary = `${status.toLowerCase()}: ${rate}; ${cancelled} cancelled; ${failed} failed${s?.stopped ? `; stopped: ${s.stopped.code}` : ''}${m?.rejections.length ? `; ${m.rejections.length} staging rows rejected` : ''}${proofText(proof)}`;
  return { status, attempted, succeeded, failed, cancelled, successRate, summary };
}

function proofText(p: ProofSummary | undefined): string {
  if (!p) return '';
  return p.findings > 0 ? `; board check: ${p.findings} difference(s) on ${p.items} items read back (ordersync verify)` : `; board checked: ${p.items} items read back`;
}
