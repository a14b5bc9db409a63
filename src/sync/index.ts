export { mondayBoard, type BoardApi } from './board-api.js';
export { syncBoard, liveBoards, type LiveBoards, type SyncOptions, type SyncOutcome, type SyncResult } from './executor.js';
export { boardKey, type BoardKey } from '../config/index.js';
export { keyColumns } from './board-match.js';
export { emptySyncCounts, type SyncCounts } from './counts.js';
export type { Phase, SyncScope } from './context.js';
export { BlastRadiusError } from './guard.js';
export { storedFormatter, valueFormatter } from './board-cache.js';
export { columnNumber, findItemsByKey, itemsByKey, subitemsBySize, targetQty } from './board-match.js';
export { resolveBoards } from './context.js';
export {
  DRIFT_KINDS,
  REPAIRABLE,
  findDrift,
  readBackValues,
  requeueDrift,
  storeBoardValues,
  type DriftFinding,
  type DriftKind,
  type ReadBack,
  type RequeueSummary,
  type VerifiedLine,
  type VerifiedOrder,
} from './verify.js';
