export { adoptBaselineItem, adoptBaselineLine, adoptItem, adoptSubitem, confirmArchived } from './adopt.js';
export { applyEffect, detachSubitem, dropDetached, markLinesUnchanged, markOrdersUnchanged, type RowEffect } from './effects.js';
export { forgetArchivedGone, markInFlight, recordFailure, requeue, requeueGoneItem, requeueLine, type RowFailure, type RowTable } from './flight.js';
export { applyDriftRepairs, recordBoardValues, retryErrors, type DriftRepair } from './repair.js';
export {
  resetCreatedItem,
  resetLine,
  resetUpdatedItem,
  restoreArchivedItem,
  restoreRemovedLine,
  rollbackInFlight,
  rollbackRefused,
} from './rollback.js';
export { runLockLive, type RunLockOptions } from './run-lock.js';
export { withRunRecord, type RunEnd, type RunRecord, type RunRecordSpec } from './run-record.js';
export { ROLLBACK_KEY_PREFIX, UnfinishedJobError, refuseUnfinished, unfinishedCutover, unfinishedRollback } from './unfinished.js';
export { markVanished } from './vanished.js';
