export { syncBoard, keyColumnId, liveBoards, type LiveBoards, type SyncOptions, type SyncOutcome, type SyncResult } from './executor.js';
export { emptySyncCounts, type SyncCounts } from './counts.js';
export type { Phase, SyncScope } from './context.js';
export { BlastRadiusError } from './guard.js';
export type { SyncEvent } from './journal.js';
