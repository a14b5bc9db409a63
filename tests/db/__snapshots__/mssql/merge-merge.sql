-- orders
select "id", "order_key", "monday_item_id", "sync_state" from "orders" where "in_staging" = ?;
