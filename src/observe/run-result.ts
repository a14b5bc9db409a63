import type { RunStatus } from '../db/index.js';
import type { MergeSummary } from '../merge/index.js';
import type { DriftFinding, DriftKind, SyncResult } from '../sync/index.js';
import type { Verdict } from './verdict.js';

/** The post-run read-back (`verify.after_run`): what was compared and what differed. */
export interface RunProof {
  checked: { orders: number; lines: number; boardItems: number };
  counts: Record<DriftKind, number>;
  findings: DriftFinding[];
  /** Orders whose board-owned or read-back values were read into the rows. */
  read_back?: number;
  /** How the check was chosen (written, changed through the activity log, full), its window and cost. */
  check?: {
    mode: 'written' | 'changed' | 'full';
    window?: { from: string; until: string };
    activity?: { events: number; items: number; subitems: number; requests: number; complexityUsed: number; truncated: boolean };
    last_full_at?: string;
    api: { requests: number; complexityUsed: number };
  };
}

/** What one job (run, sync, merge, retry) did: the record alerts, reports and the CLI read. */
export interface JobResult {
  runId: number;
  status: RunStatus;
  verdict: Verdict;
  merge?: MergeSummary;
  sync?: SyncResult;
  proof?: RunProof;
  /** The post-run read-back was due but monday would not answer it: the board is unchecked. */
  proofError?: string;
  durationMs: number;
}
