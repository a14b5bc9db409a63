export {
  MondayClient,
  type ActivityLogRead,
  type BoardSchemaRead,
  type ColumnKeyQuery,
  type ColumnValueRead,
  type ExchangeRecord,
  type ItemReadOptions,
  type MeRead,
  type MondayClientOptions,
  type MondayItem,
  type MondayStats,
  type PageOptions,
  type SharedBooking,
  type SharedBudget,
} from './client.js';
export {
  DailyLimitError,
  MondayError,
  classifyError,
  isDailyLimit,
  type ErrorClass,
} from './errors.js';
export {
  buildMutationBatch,
  jobIdOf,
  splitBatches,
  undoOf,
  type AliasResult,
  type ArchiveItemOp,
  type ChangeColumnValuesOp,
  type ColumnValues,
  type CreateGroupOp,
  type CreateItemOp,
  type CreateSubitemOp,
  type DeleteItemOp,
  type GroupRef,
  type ItemRef,
  type MoveItemToGroupOp,
  type MutationBatch,
  type MutationData,
  type MutationOp,
} from './batch.js';
export { MUTATION_TEMPLATES, type MutationKind } from './documents.js';
export {
  boardSnapshotSchema,
  fetchBoardSnapshot,
  fetchBoards,
  readSnapshot,
  subitemsBoardId,
  writeSnapshot,
  type BoardSnapshot,
  type SnapshotColumn,
  type SnapshotLabel,
  type SnapshotSource,
} from './board-schema.js';
export {
  FormatError,
  LONG_TEXT_MAX,
  READ_ONLY_TYPES,
  UnknownColumnError,
  formatColumnValues,
  formatValue,
  missingLabels,
  writableType,
  type FormatResult,
  type FormattedValue,
  type MissingLabel,
} from './values.js';
export { clientFromConfig, clientSettings } from './from-config.js';
export { MONDAY_LIMITS } from './limits.js';
export { assertMappingFits, boardChecks, kindFromName, kindFromSqlType, type BoardCheckInput, type SourceKind } from './mapping-checks.js';
export { parseRateLimitHeader } from './pacer.js';
export { readSnapshots, snapshotPath } from './snapshot-files.js';
