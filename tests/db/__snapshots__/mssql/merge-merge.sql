-- orders
select top(10000) "id", "order_key", "monday_item_id", "sync_state" from "orders" where "in_staging" = ? and "id" > ? order by "id";
