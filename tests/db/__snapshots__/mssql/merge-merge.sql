-- order_lines
insert into "order_lines" ("order_id", "size", "size_position", "qty", "action", "sync_state", "created_at", "updated_at") values (?, ?, ?, ?, ?, ?, ?, ?), …;

-- orders
insert into "orders" ("order_key", "key_values", "customer", "customer_season", "aag_season", "order_type", "total_qty", "group_name", "item_name", "fields_json", "row_hash", "lines_hash", "is_cancelled", "in_staging", "action", "sync_state", "pending_since", "staging_row", "last_run_id", "updated_at", "created_at") output "inserted"."id", "inserted"."order_key" values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), …;
select "id", "order_key", "monday_item_id", "sync_state" from "orders" where "in_staging" = ?;
select "id", "order_key", "row_hash", "lines_hash", "is_cancelled", "in_staging", "action", "sync_state", "monday_item_id", "pending_since" from "orders" where "order_key" in (?, …);
