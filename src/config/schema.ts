import { z } from 'zod';
import { DIALECTS } from './dialects.js';
import { insecureEndpoint } from './network.js';
import { isTimeZone } from './time-zone.js';

/**
 * The configuration contract. Every section is strict (unknown keys are errors: typos are
 * the classic config bug) and every key carries a description, from which
 * docs/configuration.md is generated.
 */

const envVarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name (letters, digits, _)');

const identifier = z.string().min(1).max(128);

const tables = z
  .strictObject({
    orders: identifier.default('orders').describe('Orders table (one row per business key).'),
    order_lines: identifier.default('order_lines').describe('Order lines table (one row per order and size).'),
    sync_runs: identifier.default('sync_runs').describe('Run history table.'),
    sync_events: identifier.default('sync_events').describe('Per-operation journal (rollback reads it).'),
    api_log: identifier.default('api_log').describe('Request/response log (token redacted, pruned by retention).'),
    monday_groups: identifier.default('monday_groups').describe('Cache of monday group ids by board and title.'),
    board_schemas: identifier.default('board_schemas').describe("The items board's columns and labels as last read (row hashes format values with them)."),
    run_lock: identifier.default('run_lock').describe('The run lock: lease rows that stop two runs of one environment overlapping (SQLite, PGlite), or the holder of the session lock (PostgreSQL, SQL Server).'),
    migrations: identifier.default('ordersync_migrations').describe('Applied schema migrations.'),
  })
  .prefault({});

const database = z
  .strictObject({
    dialect: z
      .enum(DIALECTS)
      .default('sqlite')
      .describe('sqlite (a file, zero set-up), postgres (a server, via url_env), mssql (SQL Server, via url_env; compile-tested only, see docs/architecture.md) or pglite (embedded PostgreSQL, for tests: a development dependency, installed with `npm install @electric-sql/pglite kysely-pglite-dialect`).'),
    sqlite_path: z
      .string()
      .min(1)
      .default('ordersync.db')
      .describe('SQLite file, relative to the config file.'),
    url_env: envVarName
      .default('ORDERSYNC_DATABASE_URL')
      .describe('Environment variable holding the server URL: postgres://USER:PASSWORD@HOST:PORT/DATABASE (postgres) or mssql://USER:PASSWORD@HOST:PORT/DATABASE (mssql). Never put the URL in the file.'),
    pglite_path: z
      .string()
      .optional()
      .describe('PGlite data directory, relative to the config file; in memory when absent.'),
    tables,
  })
  .prefault({});

const sizeMarkers = z
  .strictObject({
    start_after: z.string().min(1).default('UNIT OF MEASURE').describe('Size columns start after this column.'),
    end_before: z.string().min(1).default('TOTAL QTY').describe('Size columns end before this column.'),
  })
  .prefault({});

const staging = z
  .strictObject({
    table: identifier.default('staging_order_list').describe('Staging table delivered upstream (one row per order, one column per size).'),
    key_columns: z
      .array(z.string().min(1))
      .min(1)
      .default(['AAG ORDER NUMBER'])
      .describe('Business key column(s); composite keys list several.'),
    size_columns: z
      .array(z.string().min(1))
      .default([])
      .describe('Explicit size columns. When empty, the columns strictly between size_markers are used.'),
    size_markers: sizeMarkers.describe('Marker columns around the size columns (found by introspection).'),
    customer_column: z.string().min(1).default('CUSTOMER NAME').describe('Customer column (reports group by it).'),
    customer_season_column: z.string().min(1).default('CUSTOMER SEASON').describe('Customer season column.'),
    aag_season_column: z.string().min(1).default('AAG SEASON').describe('Internal season column (group name fallback).'),
    order_type_column: z.string().min(1).default('ORDER TYPE').describe('Order type column; cancellation is read from it.'),
    cancelled_values: z
      .array(z.string().min(1))
      .min(1)
      .default(['CANCELLED'])
      .describe('Order types that mean cancelled, compared case-insensitively.'),
    duplicate_policy: z
      .enum(['error', 'first', 'last'])
      .default('error')
      .describe('Duplicate business keys in one load: error = skip those keys and report them; first/last = keep that row and report the others.'),
    vanished_policy: z
      .enum(['leave', 'archive'])
      .default('leave')
      .describe('Orders no longer in staging: leave them, or archive their items (guarded by [cancel] blast-radius limits).'),
    batch_size: z
      .number()
      .int()
      .min(1)
      .max(50_000)
      .default(2_000)
      .describe(
        'Orders the merge compares and writes at a time: one lookup of the stored orders and one set of writes per batch. Its first pass reads 5× as many keys per read; the second reads staging rows in smaller steps (docs/merge.md).',
      ),
  })
  .prefault({});

const nameRule = z.strictObject({
  columns: z.array(z.array(z.string().min(1)).min(1)).min(1).describe('Column lists tried in order; the first whose columns are all non-empty wins.'),
  separator: z.string().default(' ').describe('Separator between column values.'),
  fallback: z.string().min(1).describe('Used when no column list is complete.'),
});

const itemNameRule = z
  .strictObject({
    parts: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('Columns whose non-empty values are joined by the separator, empty ones skipped (instead of `columns`).'),
    columns: z
      .array(z.array(z.string().min(1)).min(1))
      .min(1)
      .optional()
      .describe('Column lists tried in order; the first whose columns are all non-empty wins (instead of `parts`).'),
    separator: z.string().default(' ').describe('Separator between column values.'),
    fallback: z.string().min(1).optional().describe('Used when the name comes out empty; the order key when absent.'),
    overflow: z
      .enum(['cut', 'fail'])
      .default('cut')
      .describe("A name over monday's 255 characters: cut it (at a whole character, noted in the run's warnings) or fail the row."),
  })
  .refine((r) => (r.parts === undefined) !== (r.columns === undefined), { message: 'give either parts or columns, not both' });

/** Sources ordersync computes itself; a mapping names them with a leading @. */
export const DERIVED_SOURCES = ['@total_qty', '@line_count', '@state', '@synced_at'] as const;

const columnRule = z.strictObject({
  transform: z
    .array(z.enum(['trim', 'upper', 'lower', 'collapse_space']))
    .default([])
    .describe('Applied in order before the value map, formatting and hashing.'),
  values: z
    .record(z.string(), z.string())
    .default({})
    .describe('Staged value → value written (after the transforms; matched exactly).'),
});

const mapping = z
  .strictObject({
    group_name: nameRule
      .prefault({
        columns: [
          ['CUSTOMER NAME', 'CUSTOMER SEASON'],
          ['CUSTOMER NAME', 'AAG SEASON'],
        ],
        fallback: 'UNASSIGNED',
      })
      .describe('Group title rule (customer + season, with fallbacks).'),
    item_name: itemNameRule
      .prefault({
        columns: [
          ['CUSTOMER STYLE', 'CUSTOMER COLOUR DESCRIPTION', 'AAG ORDER NUMBER'],
          ['AAG ORDER NUMBER'],
        ],
        fallback: 'ORDER',
      })
      .describe('Item name rule: `parts` or `columns`, whitespace collapsed, empty → fallback or the key, cut at 255 (docs/sync.md, Value rules).'),
    columns: z
      .record(
        z.string().min(1).refine((k) => !k.startsWith('@') || (DERIVED_SOURCES as readonly string[]).includes(k), {
          message: `a source starting with @ is a derived value: ${DERIVED_SOURCES.join(', ')}`,
        }),
        z.string().min(1),
      )
      .default({})
      .describe(`Staging column (or derived value: ${DERIVED_SOURCES.join(', ')}) → monday column id on the items board.`),
    transforms: z
      .record(z.string().min(1), columnRule)
      .default({})
      .describe('Per mapped staging column: `{ transform = ["trim", "upper" | "lower", "collapse_space"], values = { "ACTIVE" = "RECEIVED" } }`, the steps in order and then the value map, before formatting and hashing (docs/sync.md, Value rules).'),
    long_text_overflow: z
      .enum(['cut', 'cut_with_note', 'fail'])
      .default('cut')
      .describe("Text over monday's 2,000 characters (long text and text columns): cut it, cut it and end with a note, or fail the row."),
    key_column_id: z
      .string()
      .optional()
      .describe(
        'monday column holding the whole business key (crash recovery and baseline look items up by it; never by name). Default: the column the key column is mapped to; a composite key then needs every key column mapped. Set to a text column no staging column is mapped to and ordersync writes the canonical key ("A | B") there on create.',
      ),
    subitem_name: z.string().default('Size {size}').describe('Subitem name; {size} is replaced by the size.'),
    // No defaults: a column id belongs to one board, and a forgotten key must not point at another board's column.
    size_column_id: z
      .string()
      .min(1)
      .optional()
      .describe('Subitems board column holding the size. Required to sync (`config validate` reports it missing); `ordersync board columns` lists the ids, `ordersync init --from-board` finds it by title.'),
    qty_column_id: z
      .string()
      .min(1)
      .optional()
      .describe('Subitems board column holding the quantity (a numbers column). Required to sync, like size_column_id.'),
    owners: z
      .record(z.string().min(1), z.enum(['db', 'board']))
      .default({})
      .describe(
        'Per mapped items-board column id: `db` (the default; ordersync\'s value wins and `verify --fix` overwrites a planner\'s edit, listing it as overwritten) or `board` (written when the item is created, never after; the board\'s value is read back into `orders.board_values_json`). A board-owned column is never part of the row hash; the key column cannot be board-owned (docs/sync.md, Column ownership).',
      ),
    read_back: z
      .record(z.string().min(1), z.string().min(1))
      .default({})
      .describe('Name → id of an items-board column no staging column is mapped to (a planner\'s column): its board value is read back into `orders.board_values_json` under that name, next to the board-owned columns.'),
    line_delete_policy: z
      .enum(['zero', 'delete', 'archive'])
      .default('zero')
      .describe('A size that disappears: set its subitem quantity to 0 (default), or delete / archive the subitem.'),
  })
  .prefault({});

const createLabels = z
  .strictObject({
    default: z.boolean().default(false).describe('Allow monday to create missing dropdown/status labels.'),
    columns: z.record(z.string().min(1), z.boolean()).default({}).describe('Per-column override: column id → allowed.'),
  })
  .prefault({});

const monday = z
  .strictObject({
    api_url: z
      .url()
      .superRefine((url, ctx) => {
        const problem = insecureEndpoint(url);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .default('https://api.monday.com/v2')
      .describe('GraphQL endpoint (unless api_url_env is set). https:// only; plain http:// is accepted to loopback (127.0.0.0/8, ::1, localhost) for the emulator, because the token travels in every request.'),
    api_url_env: envVarName
      .optional()
      .describe('Environment variable holding the GraphQL endpoint. When set it replaces api_url, and the variable must be set (as for token_env): one file then serves a rehearsal against the emulator and the real API. Its value obeys the same https rule as api_url.'),
    api_version: z.string().regex(/^\d{4}-\d{2}$/).default('2026-10').describe('API-Version header, pinned per environment.'),
    token_env: envVarName.default('MONDAY_API_TOKEN').describe('Environment variable holding the API token.'),
    items_board_id: z.string().regex(/^\d+$/, 'must be a numeric board id').optional().describe('Items board id.'),
    subitems_board_id: z.string().regex(/^\d+$/, 'must be a numeric board id').optional().describe('Subitems board id.'),
    snapshot_dir: z.string().default('boards').describe('Where board snapshots are kept, relative to the config file.'),
    // Unset: the client's default from src/monday/limits.ts (configuration sits below src/monday and cannot import it).
    batch_size: z.number().int().min(1).optional().describe("Mutations per request (aliases). Unset: the client's default (src/monday/limits.ts), which also caps it."),
    timeout_ms: z.number().int().min(100).optional().describe("Per-request timeout. Unset: the client's default, past monday's own 60 s."),
    max_retries: z.number().int().min(0).max(20).optional().describe("Resends of one request after a network error, timeout or 5xx (rate-limit waits are not counted). Unset: the client's default."),
    row_retry_limit: z.number().int().min(0).default(3).describe('Failed attempts before a row goes to ERROR until `ordersync retry`.'),
    complexity_per_minute: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("Our own complexity spend per monday window (monday's minute): lower it when other integrations share the token. Unset: a personal token's budget (src/monday/limits.ts). The window's length and reset are read from monday's answers, so a faster emulator needs no change."),
    create_labels: createLabels.describe('Label creation policy.'),
  })
  .prefault({});

const cancel = z
  .strictObject({
    status_column_id: z.string().optional().describe('Optional status column that shows the cancellation.'),
    status_label: z.string().default('CANCELLED').describe('Label written to status_column_id on cancellation.'),
    active_label: z.string().optional().describe('Label written to status_column_id when an order is reactivated.'),
    move_to_group: z.string().optional().describe('Optional group title that cancelled items move to.'),
    never_synced: z
      .enum(['skip', 'create'])
      .default('skip')
      .describe('A cancelled order never synced before: skip it (default) or create it as cancelled.'),
    max_share: z.number().min(0).max(1).default(0.2).describe('Blast radius: stop when a run would cancel/archive/delete more than this share of orders.'),
    max_count: z.number().int().min(0).default(500).describe('Blast radius: stop when a run would cancel/archive/delete more than this many orders.'),
  })
  .prefault({});

const alerts = z
  .strictObject({
    success_ok: z.number().min(0).max(1).default(0.95).describe('Success rate at or above this is ok.'),
    success_degraded: z.number().min(0).max(1).default(0.8).describe('Success rate at or above this (and below success_ok) is degraded; below is failed.'),
    max_pending_age_minutes: z.number().min(0).default(180).describe('Oldest pending row older than this raises an alert.'),
    max_in_flight_minutes: z.number().min(0).default(30).describe('A row in flight longer than this is stuck.'),
    max_consecutive_failed_runs: z.number().int().min(1).default(3).describe('Failed runs in a row before alerting.'),
    min_budget_headroom: z.number().min(0).max(1).default(0.1).describe('`doctor` warns when the complexity budget left (RateLimit headers) falls below this share.'),
    webhook_url_env: envVarName.default('ORDERSYNC_ALERT_WEBHOOK').describe('Environment variable with a Slack-compatible webhook URL (optional).'),
    min_records: z
      .number()
      .int()
      .min(1)
      .default(20)
      .describe('Success bands are judged from this many records up; a smaller run with failures is degraded, never failed (one failure in three records is not a page).'),
    rejected_rows: z
      .strictObject({
        warn: z.number().int().min(1).optional().describe('A run whose merge rejected at least this many staging rows is degraded and alerts.'),
      })
      .prefault({})
      .describe('Staging rows the merge rejected (empty key, bad quantity, duplicate key; fully blank rows are skipped, not rejected).'),
    dashboard_url: z.string().url().optional().describe('Dashboard link in webhook messages; default: the address `ordersync serve` binds ([server] host and port).'),
  })
  .prefault({});

const server = z
  .strictObject({
    host: z.string().default('127.0.0.1').describe('Bind address of `ordersync serve`.'),
    port: z.number().int().min(0).max(65535).default(8787).describe('Port of `ordersync serve`.'),
    token_env: envVarName.default('ORDERSYNC_DASHBOARD_TOKEN').describe('Bearer token required when bound beyond loopback.'),
    allowed_hosts: z
      .array(z.string().regex(/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/, 'must be a host name or address, without port or scheme'))
      .default([])
      .describe('Extra names `serve` answers to in the Host header (e.g. the name a reverse proxy passes on); ports ignored. Loopback names, the bind address and, when bound to 0.0.0.0 or ::, this machine\'s addresses are always accepted; other Hosts get 421 (DNS rebinding).'),
    schedule: z.string().optional().describe('Cron expression (five fields, or six with leading seconds): `serve` runs `ordersync run` on it, never overlapping; `ordersync schedule` enqueues on it.'),
    timezone: z
      .string()
      .refine(isTimeZone, 'must be an IANA time zone such as "Europe/Berlin" or "UTC"')
      .optional()
      .describe('IANA time zone `[server].schedule` is read in (e.g. "Europe/Berlin"; daylight saving followed); unset: the process\'s local time zone (TZ).'),
    api_log_retention_days: z.number().int().min(1).default(30).describe('Retention for the API log and events.'),
  })
  .prefault({});

export const DEFAULT_MAX_XLSX_UNCOMPRESSED_MB = 200;

const ingest = z
  .strictObject({
    max_xlsx_uncompressed_mb: z
      .number()
      .positive()
      .default(DEFAULT_MAX_XLSX_UNCOMPRESSED_MB)
      .describe('`ingest` refuses an .xlsx whose zip directory declares, or whose entries really inflate to, more than this many MB uncompressed, before parsing it (a small file can inflate to gigabytes).'),
  })
  .prefault({});

const verify = z
  .strictObject({
    after_run: z
      .enum(['changed', 'written', 'full', 'off'])
      .default('changed')
      .describe('Post-run proof: after syncing, read back the items this run wrote and compare them with the rows; a difference is a drift finding in the run record and makes the run degraded. `changed` also checks the items planners touched since the last check, named by both boards\' activity logs (and runs a full verify when `full_every` has passed); `written` only what the run wrote; `full` the whole board every run; `off` trusts the answers to the requests.'),
    full_every: z
      .string()
      .regex(/^\d+(m|h|d)$/, 'a duration such as "30m", "12h" or "7d"')
      .default('7d')
      .describe('With after_run = "changed": a run verifies the whole board (the guarantee: the activity log is lossy) when the last full verify is older than this.'),
  })
  .prefault({});

const worker = z
  .strictObject({
    queue_url_env: envVarName
      .optional()
      .describe('Environment variable with the PostgreSQL URL of the job queue (pg-boss) and the per-account budget rows; default: database.url_env. Set it in the base of the file: every environment a worker serves uses one queue.'),
    lease_seconds: z.number().int().min(2).max(86_400).default(900).describe('A job running longer is expired and handed to another worker: the most a killed worker delays its board.'),
    retry_limit: z.number().int().min(0).default(3).describe('Times a failed or expired job is retried before the board is reported blocked.'),
    retry_delay_seconds: z.number().int().min(0).default(60).describe('Wait before a failed job is retried.'),
    poll_seconds: z.number().min(0.5).default(2).describe('How often an idle worker asks the queue for a job.'),
    budget_window_seconds: z.number().min(0.1).default(60).describe("monday's complexity window; the shared per-account budget counts spend over it. Lower only against an emulator running faster than real time."),
  })
  .prefault({});

/** The settings an environment resolves to (base deep-merged with its overlay). */
export const settingsSchema = z.strictObject({
  protected: z.boolean().default(false).describe('Writes need --yes (or non-interactive CI).'),
  database,
  staging,
  ingest,
  mapping,
  monday,
  cancel,
  alerts,
  server,
  verify,
  worker,
});

/** The file: base settings, default_env, and overlays under [env.<name>]. */
export const fileSchema = settingsSchema.extend({
  default_env: z.string().min(1).optional().describe('Environment used when neither --env nor ORDERSYNC_ENV is given.'),
  env: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), z.record(z.string(), z.unknown())).default({}).describe('Per-environment overlays.'),
});

export type Settings = z.infer<typeof settingsSchema>;
export const sectionNames = ['database', 'staging', 'ingest', 'mapping', 'monday', 'cancel', 'alerts', 'server', 'verify', 'worker'] as const;
