import type { DuplicateKey } from './duplicates.js';
import type { Rejection } from './project.js';

export interface MergeCounts {
  staged_rows: number;
  new: number;
  updated: number;
  cancelled: number;
  reactivated: number;
  unchanged: number;
  skipped_cancelled: number;
  vanished: number;
  rejected: number;
  /** Rows with every column the merge reads empty: skipped, not rejected. */
  blank_rows: number;
  duplicate_keys: number;
  lines_inserted: number;
  lines_updated: number;
  lines_deleted: number;
  /** Rows inserted, updated or deleted in orders and order_lines. */
  rows_written: number;
}

/** A staged value adjusted on its way to the board (the row still merged). */
export interface MergeWarning {
  rowNumber: number;
  key: string;
  message: string;
}

export interface MergeSummary {
  dryRun: boolean;
  sizeColumns: number;
  counts: MergeCounts;
  rejections: Rejection[];
  warnings: MergeWarning[];
  duplicates: DuplicateKey[];
  vanishedKeys: string[];
  /**
   * Keys that differ only by letter case ("PEL-1", "pel-1"). Keys are compared exactly
   * everywhere (merge, reconcile, baseline), so these are separate orders; reported because
   * they are usually one order typed twice.
   */
  caseVariants: CaseVariant[];
  durationMs: number;
}

export interface CaseVariant {
  keys: string[];
  rows: number[];
}

export function emptyCounts(): MergeCounts {
  return {
    staged_rows: 0,
    new: 0,
    updated: 0,
    cancelled: 0,
    reactivated: 0,
    unchanged: 0,
    skipped_cancelled: 0,
    vanished: 0,
    rejected: 0,
    blank_rows: 0,
    duplicate_keys: 0,
    lines_inserted: 0,
    lines_updated: 0,
    lines_deleted: 0,
    rows_written: 0,
  };
}
