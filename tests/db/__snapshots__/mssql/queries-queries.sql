-- api_log
delete from "api_log" where "created_at" < ? and ("run_id" is null or "run_id" != ?);
select "id", "run_id", "created_at", "request_id", "idempotency_key", "operation", "status", "duration_ms", "order_keys", "request", "response" from "api_log" where order_keys like ? escape '\' order by "id";

-- order_lines
select "orders"."order_key", "order_lines"."size", "order_lines"."in_flight_since" from "order_lines" inner join "orders" on "orders"."id" = "order_lines"."order_id" where "order_lines"."sync_state" = ? order by "order_lines"."in_flight_since";
select "orders"."order_key", "order_lines"."size", "order_lines"."last_error_code", "order_lines"."last_error" from "order_lines" inner join "orders" on "orders"."id" = "order_lines"."order_id" where "order_lines"."sync_state" = ? and "orders"."customer" = ? order by "orders"."order_key";
select "orders"."order_key", "order_lines"."size", "order_lines"."last_error_code", "order_lines"."last_error" from "order_lines" inner join "orders" on "orders"."id" = "order_lines"."order_id" where "order_lines"."sync_state" = ? order by "orders"."order_key";
select "size", "qty", "synced_qty", "action", "sync_state", "monday_subitem_id", "last_error_code", "last_error", "synced_at" from "order_lines" where "order_id" = ? order by "size_position";
select "sync_state", "action", count(*) as "n" from "order_lines" group by "sync_state", "action";
select count(*) as "n" from "order_lines" where "sync_state" = ?;

-- orders
select "customer", "customer_season", "aag_season", "sync_state", "is_cancelled", count(*) as "n", sum("total_qty") as "units" from "orders" group by "customer", "customer_season", "aag_season", "sync_state", "is_cancelled";
select "id", "order_key", "customer", "customer_season", "group_name", "item_name", "total_qty", "is_cancelled", "action", "sync_state", "monday_item_id", "retry_count", "last_error_code", "last_error", "pending_since", "in_flight_since", "synced_at", "last_run_id" from "orders" where "order_key" = ?;
select "order_key", "in_flight_since" from "orders" where "sync_state" = ? order by "in_flight_since";
select "order_key", "last_error_code", "last_error", "last_error_column", "last_error_value" from "orders" where "sync_state" = ? and "customer" = ? order by "order_key";
select "order_key", "last_error_code", "last_error", "last_error_column", "last_error_value" from "orders" where "sync_state" = ? order by "order_key";
select "sync_state", "action", count(*) as "n" from "orders" group by "sync_state", "action";
select count(*) as "n" from "orders" where "sync_state" = ?;
select top(1) "order_key" from "orders" order by "id";
select top(1) "order_key", "pending_since" from "orders" where "pending_since" is not null and ("sync_state" = ? or "id" in (select "order_id" from "order_lines" where "sync_state" = ?)) order by "pending_since";

-- sync_events
delete from "sync_events" where "created_at" < ? and "run_id" != ?;
select "id", "run_id", "created_at", "size", "operation", "outcome", "monday_id", "error_code", "error_message", "column_id", "value", "before_json", "after_json" from "sync_events" where "order_key" = ? order by "id";
select "orders"."customer", "orders"."customer_season", "orders"."aag_season", "sync_events"."order_key", "sync_events"."size", "sync_events"."operation", "sync_events"."outcome", "sync_events"."error_code", "sync_events"."error_message", "sync_events"."column_id", "sync_events"."value" from "sync_events" left join "orders" on "orders"."order_key" = "sync_events"."order_key" where "sync_events"."run_id" = ? and "sync_events"."order_key" is not null order by "sync_events"."id";
select "run_id", count(*) as "n" from "sync_events" where "created_at" < ? and "run_id" != ? group by "run_id";

-- sync_runs
select * from "sync_runs" where "id" = ?;
select top(1) "id" from "sync_runs" order by "id" desc;
select top(1) * from "sync_runs" where "env" = ? order by "id" desc;
select top(10) * from "sync_runs" where "env" = ? order by "id" desc;
select top(200) * from "sync_runs" where "env" = ? order by "id" desc;
