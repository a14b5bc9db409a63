-- api_log
insert into "api_log" ("run_id", "request_id", "idempotency_key", "order_keys", "operation", "status", "duration_ms", "request", "response", "created_at") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?), …;

-- ordersync_migrations
select "name", "timestamp" from "ordersync_migrations";

-- sync_events
insert into "sync_events" ("run_id", "order_key", "size", "operation", "outcome", "board_id", "monday_id", "error_code", "error_message", "column_id", "value", "before_json", "after_json", "created_at") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), …;

-- sync_runs
insert into "sync_runs" ("env", "command", "started_at", "status", "host", "pid", "parent_run_id", "options_json") output "inserted"."id" values (?, ?, ?, ?, ?, ?, ?, ?);
select "id", "parent_run_id", "status" from "sync_runs" where "env" = ? and "command" = ? order by "id" desc;
select "id", "status" from "sync_runs" where "env" = ? and "command" = ? order by "id" desc;
select top(1) "counts_json" from "sync_runs" where "env" = ? and "id" < ? and "status" in (?, …) and "counts_json" like ? order by "id" desc;
update "sync_runs" set "finished_at" = ?, "status" = ?, "verdict" = ?, "error" = ?, "counts_json" = ?, "requests" = ?, "mutations" = ?, "complexity_used" = ?, "rate_limit_waits" = ?, "retries" = ? where "id" = ?;
update "sync_runs" set "status" = ?, "finished_at" = ?, "verdict" = ?, "error" = ? where "env" = ? and "status" = ? and "id" != ?;
