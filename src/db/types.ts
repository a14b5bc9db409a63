import type { Generated } from 'kysely';

/**
 * Row shapes of ordersync's own tables, under their logical names; the configured
 * physical names are applied by TableNamesPlugin. Timestamps are ISO-8601 UTC text on
 * every dialect so comparisons and reports behave the same on SQLite and PostgreSQL.
 */
export const ORDER_ACTIONS = ['INSERT', 'UPDATE', 'CANCEL', 'ARCHIVE', 'NONE'] as const;
export const LINE_ACTIONS = ['INSERT', 'UPDATE', 'DELETE', 'NONE'] as const;
export const SYNC_STATES = ['PENDING', 'IN_FLIGHT', 'SYNCED', 'ERROR', 'SKIPPED'] as const;
export const RUN_STATUSES = ['RUNNING', 'OK', 'DEGRADED', 'FAILED', 'ABORTED'] as const;
export const EVENT_OUTCOMES = ['OK', 'ERROR', 'SKIPPED', 'ADOPTED', 'ROLLED_BACK'] as const;
/** What a journal row (sync_events.operation) records; rollback and reports read them back. */
export const JOURNAL_OPERATIONS = [
  'create_group',
  'create_item',
  'update_item',
  'cancel_item',
  'archive_item',
  'adopt_item',
  'create_subitem',
  'update_subitem',
  'zero_subitem',
  'delete_subitem',
  'archive_subitem',
  'adopt_subitem',
  'detach_subitem',
] as const;

/**
 * The jobs that leave a run record (sync_runs.command), the one list withRunRecord takes: a
 * cutover step records as `cutover:<step>`, `verify --fix` as `verify:fix`.
 */
export const RUN_COMMANDS = ['run', 'sync', 'merge', 'retry', 'rollback', 'verify:fix', 'cutover:preflight', 'cutover:baseline', 'cutover:canary', 'cutover:full'] as const;

export type OrderAction = (typeof ORDER_ACTIONS)[number];
export type LineAction = (typeof LINE_ACTIONS)[number];
export type SyncState = (typeof SYNC_STATES)[number];
export type RunStatus = (typeof RUN_STATUSES)[number];
export type EventOutcome = (typeof EVENT_OUTCOMES)[number];
export type JournalOperation = (typeof JOURNAL_OPERATIONS)[number];
export type RunCommand = (typeof RUN_COMMANDS)[number];

export interface OrdersTable {
  id: Generated<number>;
  order_key: string;
  key_values: string;
  customer: string | null;
  customer_season: string | null;
  aag_season: string | null;
  order_type: string | null;
  total_qty: number;
  group_name: string;
  item_name: string;
  fields_json: string;
  synced_fields_json: string | null;
  row_hash: string;
  lines_hash: string;
  is_cancelled: number;
  in_staging: number;
  action: OrderAction;
  sync_state: SyncState;
  monday_item_id: string | null;
  monday_group_id: string | null;
  idempotency_key: string | null;
  in_flight_since: string | null;
  retry_count: Generated<number>;
  last_error_code: string | null;
  last_error: string | null;
  last_error_column: string | null;
  last_error_value: string | null;
  pending_since: string | null;
  synced_at: string | null;
  last_run_id: number | null;
  staging_row: number | null;
  /** Board-owned and read-back columns as the board showed them: `{ name: text }` (migration 005). */
  board_values_json: string | null;
  board_values_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface OrderLinesTable {
  id: Generated<number>;
  order_id: number;
  size: string;
  size_position: number;
  qty: number;
  synced_qty: number | null;
  action: LineAction;
  sync_state: SyncState;
  monday_subitem_id: string | null;
  idempotency_key: string | null;
  in_flight_since: string | null;
  retry_count: Generated<number>;
  last_error_code: string | null;
  last_error: string | null;
  synced_at: string | null;
  last_run_id: number | null;
  created_at: string;
  updated_at: string;
}

export interface SyncRunsTable {
  id: Generated<number>;
  env: string;
  command: RunCommand;
  started_at: string;
  finished_at: string | null;
  status: RunStatus;
  verdict: string | null;
  counts_json: Generated<string>;
  requests: Generated<number>;
  mutations: Generated<number>;
  complexity_used: Generated<number>;
  rate_limit_waits: Generated<number>;
  retries: Generated<number>;
  error: string | null;
  host: string | null;
  pid: number | null;
  parent_run_id: number | null;
  options_json: string | null;
}

export interface SyncEventsTable {
  id: Generated<number>;
  run_id: number;
  order_key: string | null;
  size: string | null;
  operation: JournalOperation;
  outcome: EventOutcome;
  board_id: string | null;
  monday_id: string | null;
  error_code: string | null;
  error_message: string | null;
  column_id: string | null;
  value: string | null;
  before_json: string | null;
  after_json: string | null;
  created_at: string;
}

export interface ApiLogTable {
  id: Generated<number>;
  run_id: number | null;
  request_id: string | null;
  idempotency_key: string | null;
  order_keys: string | null;
  operation: string | null;
  status: number | null;
  duration_ms: number | null;
  request: string | null;
  response: string | null;
  created_at: string;
}

/** The items board's structure as last read, so merge and plan can format values without monday. */
export interface BoardSchemasTable {
  board_id: string;
  snapshot_json: string;
  fetched_at: string;
}

export interface MondayGroupsTable {
  board_id: string;
  title: string;
  group_id: string;
  created_at: string;
}

export interface RunLockTable {
  name: string;
  holder: string;
  pid: number;
  host: string;
  acquired_at: string;
  expires_at: string;
}

export interface Database {
  orders: OrdersTable;
  order_lines: OrderLinesTable;
  sync_runs: SyncRunsTable;
  sync_events: SyncEventsTable;
  api_log: ApiLogTable;
  monday_groups: MondayGroupsTable;
  board_schemas: BoardSchemasTable;
  run_lock: RunLockTable;
}

export type LogicalTable = keyof Database;
