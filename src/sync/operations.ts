import type { JournalOperation } from '../db/index.js';
import type { MutationOp } from '../monday/index.js';
import type { RowEffect, RowFailure, RowTable } from '../queue/index.js';
import type { SyncEvent } from '../queue/journal.js';
import type { SyncCounts } from './counts.js';

/** The change to a row whose mutation creates its item or subitem: the id is monday's answer. */
export type CreatedEffect =
  | { kind: 'item_created'; id: number; synced_fields_json: string; monday_group_id: string }
  | { kind: 'subitem_created'; id: number; synced_qty: number };

/**
 * What a unit's answered mutations do, decided before the request as data: the row's change
 * (written by queue/), its journal row and the count it adds to. `answer` names what of
 * monday's answer to the unit's first mutation the applier fills in: nothing, the id of the
 * item or subitem it created (the row's and the journal's monday id), or the archive job
 * (the journal's `after.job_id`, which rollback undoes).
 */
export type PlannedOutcome = { event: SyncEvent; count: keyof SyncCounts } & (
  | { answer: 'none' | 'archive_job'; effect: RowEffect }
  | { answer: 'created_id'; effect: CreatedEffect }
);

/**
 * One row's planned work in a request: its mutations (usually one; an update may also move
 * the item) and what monday's answer does to the row.
 */
export interface Unit {
  table: RowTable;
  id: number;
  orderKey: string;
  retryCount: number;
  ops: MutationOp[];
  outcome: PlannedOutcome;
  /** Which operation name the journal shows for a failure. */
  operation: JournalOperation;
  size?: string | null;
  mondayId?: string | null;
}

/** A row that fails before any request is built for it: only what its failure record needs. */
export type FailedRow = Pick<Unit, 'table' | 'id' | 'orderKey' | 'retryCount' | 'operation' | 'size' | 'mondayId'>;

/** The planner's decision for one row: a request, nothing to send (the board shows it already), or a failure before any request. */
export type Decision = { kind: 'send'; unit: Unit } | { kind: 'unchanged' } | { kind: 'failed'; row: FailedRow; failure: RowFailure };
