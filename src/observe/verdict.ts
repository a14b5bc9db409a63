import type { Settings } from '../config/index.js';
import type { RunStatus } from '../db/index.js';
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
    succeeded: n('items_created') + n('items_updated') + n('items_archived') + n('items_already_gone') + n('subitems_created') + n('subitems_updated') + n('subitems_zeroed') + n('subitems_removed'),
    failed: n('items_failed') + n('subitems_failed'),
    cancelled: n('items_cancelled'),
  };
}

/**
 * Success is measured in records (items and subitems), never in batches, and cancelled
 * orders are counted apart so a day of cancellations does not read as a bad sync.
 */
/** What the post-run read-back found: the board differs from what this run says it wrote; or why it could not look. */
export type ProofSummary = { items: number; findings: number } | { unchecked: string };

export type Band = 'OK' | 'DEGRADED' | 'FAILED' | 'NO_RECORDS';

/**
 * The one rule for records: the run's verdict and every band of its report use it. Below
 * `min_records` the rate is not judged (a failure is degraded, never failed); any failed record
 * makes the result at best degraded.
 */
export function judge(alerts: Pick<Settings['alerts'], 'success_ok' | 'success_degraded' | 'min_records'>, x: { succeeded: number; failed: number }): Band {
  const attempted = x.succeeded + x.failed;
  if (attempted === 0) return 'NO_RECORDS';
  const rate = x.succeeded / attempted;
  if (attempted >= alerts.min_records) {
    if (rate < alerts.success_degraded) return 'FAILED';
    if (rate < alerts.success_ok) return 'DEGRADED';
  }
  return x.failed > 0 ? 'DEGRADED' : 'OK';
}

export function verdictOf(alerts: Settings['alerts'], m: MergeSummary | undefined, s: SyncResult | undefined, proof?: ProofSummary): Verdict {
  const { succeeded, failed, cancelled } = recordsOf(s?.counts);
  const attempted = succeeded + failed;
  const successRate = attempted === 0 ? null : succeeded / attempted;
  const rejected = m?.rejections.length ?? 0;
  const band = judge(alerts, { succeeded, failed });
  let status: RunStatus = s?.stopped ? 'FAILED' : band === 'NO_RECORDS' ? 'OK' : band;
  if (status === 'OK' && alerts.rejected_rows.warn !== undefined && rejected >= alerts.rejected_rows.warn) status = 'DEGRADED';
  // Every request answered OK, yet the board read back says otherwise, or could not be read
  // back: not an OK run (its verdict would be an assumption).
  if (status === 'OK' && proof && ('unchecked' in proof || proof.findings > 0)) status = 'DEGRADED';
  // A stop before the first record leaves the queue full: that is not "nothing to sync".
  const rate = successRate !== null ? `${(successRate * 100).toFixed(1)}% of ${attempted} records` : s?.stopped ? 'no record sent' : 'nothing to sync';
  const summary = `${status.toLowerCase()}: ${rate}; ${cancelled} cancelled; ${failed} failed${s?.stopped ? `; stopped: ${s.stopped.code}` : ''}${m?.rejections.length ? `; ${m.rejections.length} staging rows rejected` : ''}${m?.warnings.length ? `; ${m.warnings.length} warnings` : ''}${proofText(proof)}`;
  return { status, attempted, succeeded, failed, cancelled, successRate, summary };
}

function proofText(p: ProofSummary | undefined): string {
  if (!p) return '';
  if ('unchecked' in p) return `; board not checked: ${p.unchecked} (ordersync verify)`;
  return p.findings > 0 ? `; board check: ${p.findings} difference(s) on ${p.items} items read back (ordersync verify)` : `; board checked: ${p.items} items read back`;
}
