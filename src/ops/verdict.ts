import type { Settings } from '../config/schema.js';
import type { RunStatus } from '../db/types.js';
import type { MergeSummary } from '../merge/index.js';
import type { SyncCounts, SyncResult } from '../sync/index.js';

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

export interface Records {
  succeeded: number;
  failed: number;
  cancelled: number;
}

/** A run's records from its sync counts (a run record's `counts_json.sync`); zeros when it synced nothing. */
export function recordsOf(c: Partial<SyncCounts> | null | undefined): Records {
  const n = (k: keyof SyncCounts) => Number(c?.[k] ?? 0);
  return {
    succeeded: n('items_created') + n('items_updated') + n('items_archived') + n('subitems_created') + n('subitems_updated') + n('subitems_zeroed') + n('subitems_removed'),
    failed: n('items_failed') + n('subitems_failed'),
    cancelled: n('items_cancelled'),
  };
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
  const { succeeded, failed, cancelled } = recordsOf(s?.counts);
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
  const summary = `${status.toLowerCase()}: ${rate}; ${cancelled} cancelled; ${failed} failed${s?.stopped ? `; stopped: ${s.stopped.code}` : ''}${m?.rejections.length ? `; ${m.rejections.length} staging rows rejected` : ''}${m?.warnings.length ? `; ${m.warnings.length} warnings` : ''}${proofText(proof)}`;
  return { status, attempted, succeeded, failed, cancelled, successRate, summary };
}

function proofText(p: ProofSummary | undefined): string {
  if (!p) return '';
  return p.findings > 0 ? `; board check: ${p.findings} difference(s) on ${p.items} items read back (ordersync verify)` : `; board checked: ${p.items} items read back`;
}
