-- order_lines
select "id", "order_id", "size", "monday_subitem_id", "synced_qty", "sync_state" from "order_lines" where "order_id" in (?, …) and "monday_subitem_id" is not null;
select "l"."id", "l"."size", "l"."action", "l"."monday_subitem_id", "o"."order_key", "o"."monday_item_id" as "parent_id" from "order_lines" as "l" inner join "orders" as "o" on "o"."id" = "l"."order_id" where "l"."sync_state" = ?;
select "orders"."order_key", "order_lines"."size", "order_lines"."in_flight_since" from "order_lines" inner join "orders" on "orders"."id" = "order_lines"."order_id" where "order_lines"."sync_state" = ? order by "order_lines"."in_flight_since";
select count(*) as "n" from "order_lines" as "l" inner join "orders" as "o" on "o"."id" = "l"."order_id" where "l"."sync_state" = ? and "o"."monday_item_id" is not null and "o"."sync_state" not in (?, …);
select count(*) as "n" from "order_lines" where "sync_state" = ?;
select distinct "idempotency_key" from "order_lines" where "sync_state" = ? and "idempotency_key" like ?;
select top(1000) "l"."id", "l"."order_id", "l"."size", "l"."size_position", "l"."qty", "l"."synced_qty", "l"."action", "l"."monday_subitem_id", "l"."retry_count", "o"."order_key", "o"."monday_item_id" as "parent_id", "o"."is_cancelled" from "order_lines" as "l" inner join "orders" as "o" on "o"."id" = "l"."order_id" where "l"."sync_state" = ? and "o"."monday_item_id" is not null and "o"."sync_state" not in (?, …) and "l"."id" > ? order by "l"."id";
update "order_lines" set "idempotency_key" = ?, "in_flight_since" = ?, "sync_state" = ? where "id" in (?, …) and "sync_state" in (?);
update "order_lines" set "monday_subitem_id" = ?, "synced_qty" = ?, "retry_count" = ?, "last_error_code" = ?, "last_error" = ?, "idempotency_key" = ?, "in_flight_since" = ?, "action" = ?, "synced_at" = ?, "last_run_id" = ?, "sync_state" = ? where "id" in (?) and "sync_state" in (?);

-- orders
select "id", "order_key", "key_values", "action", "monday_item_id", "synced_fields_json" from "orders" where "sync_state" = ?;
select "id", "order_key", "monday_item_id", "monday_group_id", "group_name", "is_cancelled", "synced_fields_json", "board_values_json" from "orders" where "sync_state" = ? and "monday_item_id" is not null and ("last_run_id" = ? or exists (select "l"."id" from "order_lines" as "l" where "l"."order_id" = "orders"."id" and "l"."last_run_id" = ?)) order by "id";
select "order_key", "in_flight_since" from "orders" where "sync_state" = ? order by "in_flight_since";
select count(*) as "n" from "orders" where "monday_item_id" is not null;
select count(*) as "n" from "orders" where "sync_state" = ?;
select count(*) as "n" from "orders" where "sync_state" = ? and "action" in (?, …);
select count(*) as "n" from "orders" where "sync_state" = ? and "action" in (?, …) and "monday_item_id" is not null;
select distinct "idempotency_key" from "orders" where "sync_state" = ? and "idempotency_key" like ?;
select top(1) "order_key", "pending_since" from "orders" where "pending_since" is not null and ("sync_state" = ? or "id" in (select "order_id" from "order_lines" where "sync_state" = ?)) order by "pending_since";
select top(10000) "id", "order_key", "monday_item_id", "sync_state" from "orders" where "in_staging" = ? and "id" > ? order by "id";
select top(500) "id", "order_key", "key_values", "fields_json", "synced_fields_json", "group_name", "item_name", "is_cancelled", "action", "monday_item_id", "monday_group_id", "retry_count", "customer" from "orders" where "sync_state" = ? and "action" in (?, …) and "id" > ? order by "id";
update "orders" set "idempotency_key" = ?, "in_flight_since" = ?, "sync_state" = ? where "id" in (?, …) and "sync_state" in (?);
update "orders" set "in_staging" = ?, "updated_at" = ? where "id" in (?);
update "orders" set "synced_fields_json" = ?, "monday_group_id" = ?, "retry_count" = ?, "last_error_code" = ?, "last_error" = ?, "idempotency_key" = ?, "in_flight_since" = ?, "action" = ?, "synced_at" = ?, "last_error_column" = ?, "last_error_value" = ?, "pending_since" = ?, "last_run_id" = ?, "sync_state" = ? where "id" in (?) and "sync_state" in (?);
update "orders" set "synced_fields_json" = ?, "monday_item_id" = ?, "monday_group_id" = ?, "retry_count" = ?, "last_error_code" = ?, "last_error" = ?, "idempotency_key" = ?, "in_flight_since" = ?, "action" = ?, "synced_at" = ?, "last_error_column" = ?, "last_error_value" = ?, "pending_since" = ?, "last_run_id" = ?, "sync_state" = ? where "id" in (?) and "sync_state" in (?);
