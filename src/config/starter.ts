/**
 * The config `ordersync init` writes: a `dev` environment on SQLite and the local
 * emulator (`ordersync emulator`), with the shipped demo boards. Every key is optional
 * unless marked; docs/configuration.md lists them all.
 */
export function starterConfig(
  opts: { apiUrl?: string; itemsBoardId?: string; subitemsBoardId?: string; complexityPerMinute?: number; note?: string } = {},
): string {
  return `# ordersync configuration — reference: docs/configuration.md
#
# The environment is chosen by --env, then ORDERSYNC_ENV, then default_env.
# Nothing defaults to production: add [env.prod] with protected = true and select it explicitly.
# Secrets never live here: the file names environment variables (token_env, url_env).

default_env = "dev"

[database]
dialect = "sqlite"                 # sqlite | postgres | pglite | mssql (SQL Server: compile-tested only)
sqlite_path = "ordersync.db"       # relative to this file
# url_env = "ORDERSYNC_DATABASE_URL"  # postgres: the variable holding the connection URL

[staging]
table = "staging_order_list"
key_columns = ["AAG ORDER NUMBER"]
# size_columns = ["XS", "S", "M", "L", "XL"]   # explicit list, or the columns between the markers:
size_markers = { start_after = "UNIT OF MEASURE", end_before = "TOTAL QTY" }
order_type_column = "ORDER TYPE"
cancelled_values = ["CANCELLED"]   # compared case-insensitively
duplicate_policy = "error"         # error (skip and report) | first | last
vanished_policy = "leave"          # leave | archive

[mapping]
group_name = { columns = [["CUSTOMER NAME", "CUSTOMER SEASON"], ["CUSTOMER NAME", "AAG SEASON"]], separator = " ", fallback = "UNASSIGNED" }
item_name = { parts = ["CUSTOMER STYLE", "CUSTOMER COLOUR DESCRIPTION", "AAG ORDER NUMBER"], separator = " ", overflow = "cut" }  # empty parts skipped; cut at 255 | "fail"
long_text_overflow = "cut"         # text over 2,000 characters: cut | cut_with_note | fail
subitem_name = "Size {size}"
# Column ids belong to one board: these are the demo subitems board's. For your own board,
# \`ordersync board columns\` lists the ids (or start over with \`ordersync init --from-board <id>\`).
size_column_id = "dropdown_mkrak7qp"  # required: subitems column holding the size
qty_column_id = "numeric_mkra7j8e"    # required: subitems column holding the quantity
line_delete_policy = "zero"        # zero | delete | archive

[mapping.columns]                  # staging column = monday column id (items board)
"AAG ORDER NUMBER" = "text_mkr5wya6"
"CUSTOMER NAME" = "dropdown_mkr542p2"
"PO NUMBER" = "text_mkr5ej2x"
"CUSTOMER STYLE" = "text_mktdechp"
"CUSTOMER COLOUR DESCRIPTION" = "long_text_mktdy7re"
"AAG SEASON" = "dropdown_mkr58de6"
"CUSTOMER SEASON" = "dropdown_mkr5rgs6"
"ORDER TYPE" = "dropdown_mkr518fc"
"ORDER DATE PO RECEIVED" = "date_mkr5zp5"
"EX FACTORY DATE" = "date_mkr57811"
"@total_qty" = "numeric_mktb1d19"  # derived: the sum of the synced sizes, 0 while cancelled
"FINAL FOB (USD)" = "numeric_mkr5nhr7"

# [mapping.transforms]              # per staging column, before formatting and hashing
# "ORDER TYPE" = { transform = ["trim", "upper"], values = { "ACTIVE" = "RECEIVED" } }

[monday]
api_url = "${opts.apiUrl ?? 'http://127.0.0.1:4000/v2'}"   # the local emulator; production: https://api.monday.com/v2
api_version = "2026-10"
token_env = "MONDAY_API_TOKEN"
# batch_size, timeout_ms, max_retries, complexity_per_minute: unset, the client's defaults (docs/configuration.md)${opts.complexityPerMinute ? `
complexity_per_minute = ${opts.complexityPerMinute}   # ${opts.note ?? 'budget the pacer plans for'}` : ''}

[monday.create_labels]
default = false
columns = { "dropdown_mkr542p2" = true, "dropdown_mkr58de6" = true, "dropdown_mkr5rgs6" = true, "dropdown_mkrak7qp" = true }

[cancel]
status_column_id = "color_mkr5j5pp"
status_label = "CANCELLED"
never_synced = "skip"              # skip | create
max_share = 0.2                    # blast radius: stop before cancelling more than this share…
max_count = 500                    # …or this many orders in one run (--allow-mass-change overrides)

[env.dev]
[env.dev.monday]
items_board_id = "${opts.itemsBoardId ?? '9000000001'}"
subitems_board_id = "${opts.subitemsBoardId ?? '9000000002'}"

# [env.prod]
# protected = true
# [env.prod.database]
# dialect = "postgres"
# url_env = "ORDERSYNC_PROD_DATABASE_URL"
# [env.prod.monday]
# api_url = "https://api.monday.com/v2"
# token_env = "MONDAY_PROD_TOKEN"
# items_board_id = "…"
# subitems_board_id = "…"
`;
}

/** The environment a starter config defines when none is named (`ordersync init`, `--from-board` without --env). */
export const STARTER_ENV = 'dev';

/** What `ordersync init --from-board` learnt from the boards, for {@link boardStarterConfig}. */
export interface BoardStarter {
  envName: string;
  /** The endpoint's variable (monday.api_url_env), or else the endpoint itself. */
  apiUrlEnv?: string;
  apiUrl: string;
  apiVersion: string;
  tokenEnv: string;
  itemsBoard: { id: string; name: string };
  subitemsBoard: { id: string; name: string };
  /** Where the staging column names came from, for the file's comment. */
  stagingSource: string;
  columns: Array<{ staging: string; id: string; title: string; type: string }>;
  /** Board columns left unpaired; `writable` ones are listed ready to uncomment. */
  unpaired: Array<{ id: string; title: string; type: string; reason: string; writable: boolean }>;
  size: { id: string; title: string };
  qty: { id: string; title: string };
  /** Dropdown and status columns whose missing labels monday may create. */
  createLabels: string[];
  cancelStatusColumnId?: string;
}

/** TOML basic strings share JSON's escapes for everything a title can hold. */
const q = (s: string): string => JSON.stringify(s);

/** The config for a board read with `ordersync init --from-board`: the columns it paired, the rest commented. */
export function boardStarterConfig(b: BoardStarter): string {
  const width = Math.max(0, ...b.columns.map((c) => q(c.staging).length));
  const paired = b.columns.map((c) => `${q(c.staging).padEnd(width)} = ${q(c.id)}  # ${c.type}`);
  const unpaired = [...b.unpaired.filter((c) => c.writable), ...b.unpaired.filter((c) => !c.writable)].map((c) =>
    c.writable ? `# ${q(c.title)} = ${q(c.id)}  # ${c.type}: ${c.reason}` : `#   not mappable: ${c.id} ${q(c.title)} (${c.type}): ${c.reason}`,
  );
  const endpoint = b.apiUrlEnv
    ? `api_url_env = ${q(b.apiUrlEnv)}      # the variable holds the endpoint: the emulator for a rehearsal, https://api.monday.com/v2 for real`
    : `api_url = ${q(b.apiUrl)}`;
  const labels = b.createLabels.map((id) => `${q(id)} = true`).join(', ');
  return `# ordersync configuration — reference: docs/configuration.md, walk-through: docs/setup.md
#
# Written by \`ordersync init --from-board ${b.itemsBoard.id}\` from board ${b.itemsBoard.id} ${q(b.itemsBoard.name)}
# and its subitems board ${b.subitemsBoard.id} ${q(b.subitemsBoard.name)}. Staging columns came from
# ${b.stagingSource}.
# \`ordersync board columns\` lists both boards' columns again; the snapshots in boards/ let
# \`ordersync config validate\` check this file offline.

default_env = ${q(b.envName)}

[database]
dialect = "sqlite"                 # sqlite | postgres | pglite | mssql (SQL Server: compile-tested only)
sqlite_path = "ordersync.db"       # relative to this file

[staging]
table = "staging_order_list"
key_columns = ["AAG ORDER NUMBER"]
size_markers = { start_after = "UNIT OF MEASURE", end_before = "TOTAL QTY" }

[mapping]
subitem_name = "Size {size}"
size_column_id = ${q(b.size.id)}  # ${b.size.title}
qty_column_id = ${q(b.qty.id)}  # ${b.qty.title}

# Staging column = items board column, paired by title (case and spaces ignored).
# Board columns left unpaired follow, commented: put the staging column's name in the quotes to map one.
[mapping.columns]
${[...paired, ...unpaired].join('\n')}

[monday]
${endpoint}
api_version = ${q(b.apiVersion)}
token_env = ${q(b.tokenEnv)}

[monday.create_labels]
default = false
columns = { ${labels} }
${
  b.cancelStatusColumnId
    ? `
[cancel]
status_column_id = ${q(b.cancelStatusColumnId)}
status_label = "CANCELLED"
`
    : ''
}
[env.${b.envName}.monday]
items_board_id = ${q(b.itemsBoard.id)}
subitems_board_id = ${q(b.subitemsBoard.id)}
`;
}
