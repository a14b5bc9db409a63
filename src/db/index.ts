export { databaseTarget, notCreatedYet, openDatabase, type DatabaseTarget, type Db } from './connect.js';
export { checkServerUrl, databaseOpenError, privilegeError } from './open-errors.js';
export { dialectAdapter, type BackupResult, type ColumnType, type DialectAdapter, type DialectName } from './dialects/index.js';
export {
  openMergeWriter,
  type LineOnRecord,
  type LineRow,
  type LineUpdate,
  type MergeWriter,
  type OrderOnRecord,
  type OrderRow,
  type OrderUpdate,
} from './dialects/merge-writer.js';
export {
  isCurrent,
  migrateDown,
  migrateUp,
  migrationStatus,
  migrationsFor,
  notMigratedError,
  pendingMigrations,
} from './migrations/index.js';
export {
  RUN_STATUSES,
  SYNC_STATES,
  type Database,
  type EventOutcome,
  type JournalOperation,
  type LineAction,
  type OrderAction,
  type OrderLinesTable,
  type OrdersTable,
  type RunCommand,
  type RunStatus,
  type SyncEventsTable,
  type SyncRunsTable,
  type SyncState,
} from './types.js';
