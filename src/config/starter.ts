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
dialect = "sqlite"                 # sqlite | postgres | pglite
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
size_column_id = "dropdown_mkrak7qp"
qty_column_id = "numeric_mkra7j8e"
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
batch_size = 25${opts.complexityPerMinute ? `
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
