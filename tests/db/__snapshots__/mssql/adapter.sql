-- staging table (ingest);
create table "staging_order_list" ("AAG ORDER NUMBER" nvarchar(max), "XS" int, "ordersync_source_file" nvarchar(max), "ordersync_source_row" int, "ordersync_source_line" int, "ordersync_source_seq" int);
alter table "staging_order_list" add "ordersync_source_file" nvarchar(max);
alter table "staging_order_list" add "ordersync_source_row" int;
alter table "staging_order_list" add "ordersync_source_line" int;
alter table "staging_order_list" add "ordersync_source_seq" int;
with n as (select "ordersync_source_seq" as seq, row_number() over (order by (select null)) as rn from "staging_order_list")
      update n set seq = rn;
insert into "staging_order_list" ("AAG ORDER NUMBER", "XS") values (?, ?), …;
select max("ordersync_source_seq") as n from "staging_order_list";
select "tables"."name" as "table_name", "tables"."type" as "table_type", "table_schemas"."name" as "table_schema_name", "columns"."default_object_id" as "column_default_object_id", "columns"."generated_always_type_desc" as "column_generated_always_type", "columns"."is_computed" as "column_is_computed", "columns"."is_identity" as "column_is_identity", "columns"."is_nullable" as "column_is_nullable", "columns"."is_rowguidcol" as "column_is_rowguidcol", "columns"."name" as "column_name", "types"."is_nullable" as "type_is_nullable", "types"."name" as "type_name", "type_schemas"."name" as "type_schema_name", "comments"."value" as "column_comment" from "sys"."tables" as "tables" left join "sys"."schemas" as "table_schemas" on "table_schemas"."schema_id" = "tables"."schema_id" inner join "sys"."columns" as "columns" on "columns"."object_id" = "tables"."object_id" inner join "sys"."types" as "types" on "types"."user_type_id" = "columns"."user_type_id" left join "sys"."schemas" as "type_schemas" on "type_schemas"."schema_id" = "types"."schema_id" left join "sys"."extended_properties" as "comments" on "comments"."major_id" = "tables"."object_id" and "comments"."minor_id" = "columns"."column_id" and "comments"."name" = ? where "tables"."name" != ? and "tables"."name" != ? union all select "views"."name" as "table_name", "views"."type" as "table_type", "view_schemas"."name" as "table_schema_name", "columns"."default_object_id" as "column_default_object_id", "columns"."generated_always_type_desc" as "column_generated_always_type", "columns"."is_computed" as "column_is_computed", "columns"."is_identity" as "column_is_identity", "columns"."is_nullable" as "column_is_nullable", "columns"."is_rowguidcol" as "column_is_rowguidcol", "columns"."name" as "column_name", "types"."is_nullable" as "type_is_nullable", "types"."name" as "type_name", "type_schemas"."name" as "type_schema_name", "comments"."value" as "column_comment" from "sys"."views" as "views" left join "sys"."schemas" as "view_schemas" on "view_schemas"."schema_id" = "views"."schema_id" inner join "sys"."columns" as "columns" on "columns"."object_id" = "views"."object_id" inner join "sys"."types" as "types" on "types"."user_type_id" = "columns"."user_type_id" left join "sys"."schemas" as "type_schemas" on "type_schemas"."schema_id" = "types"."schema_id" left join "sys"."extended_properties" as "comments" on "comments"."major_id" = "views"."object_id" and "comments"."minor_id" = "columns"."column_id" and "comments"."name" = ? order by "table_schema_name", "table_name", "column_name";
select count(*) as n from "staging_order_list" with (tablockx, holdlock, nowait);
-- staging read (merge);

        select c.name as name, t.name as type from sys.columns c join sys.types t on t.user_type_id = c.user_type_id
        where c.object_id = object_id(quotename(?)) order by c.column_id;
select count(*) as n from "staging_order_list" with (tablock, holdlock);

          select "ordersync_source_seq" as "__pos", "AAG ORDER NUMBER", "XS", "ordersync_source_file", "ordersync_source_row", "ordersync_source_line" from "staging_order_list"
          where "ordersync_source_seq" > ? order by "ordersync_source_seq" offset 0 rows fetch next ? rows only;
select distinct top(500) "ORDER TYPE" as "v" from "staging_order_list" where "ORDER TYPE" is not null;
-- merge writes (the query builder: SQL Server has no hot loop of its own);
select "id", "order_key", "row_hash", "lines_hash", "is_cancelled", "in_staging", "action", "sync_state", "monday_item_id", "pending_since" from "orders" where "order_key" in (?, …);
select "id", "order_id", "size", "qty", "action", "sync_state", "monday_subitem_id" from "order_lines" where "order_id" in (?, …);
insert into "orders" ("order_key", "key_values", "customer", "customer_season", "aag_season", "order_type", "total_qty", "group_name", "item_name", "fields_json", "row_hash", "lines_hash", "is_cancelled", "in_staging", "action", "sync_state", "pending_since", "staging_row", "last_run_id", "updated_at", "created_at") output "inserted"."id", "inserted"."order_key" values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), …;
update "orders" set "order_key" = ?, "key_values" = ?, "customer" = ?, "customer_season" = ?, "aag_season" = ?, "order_type" = ?, "total_qty" = ?, "group_name" = ?, "item_name" = ?, "fields_json" = ?, "row_hash" = ?, "lines_hash" = ?, "is_cancelled" = ?, "in_staging" = ?, "action" = ?, "sync_state" = ?, "pending_since" = ?, "staging_row" = ?, "last_run_id" = ?, "updated_at" = ?, "retry_count" = ? where "id" = ?;
update "orders" set "row_hash" = ? where "id" = ?;
insert into "order_lines" ("order_id", "size", "size_position", "qty", "action", "sync_state", "created_at", "updated_at") values (?, ?, ?, ?, ?, ?, ?, ?);
update "order_lines" set "qty" = ?, "action" = ?, "sync_state" = ?, "retry_count" = ?, "updated_at" = ? where "id" = ?;
delete from "order_lines" where "id" in (?, …);
-- run lock (application lock owned by the session);
declare @r int;
        exec @r = sp_getapplock @Resource = ?, @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = 0;
        select @r as r;
exec sp_releaseapplock @Resource = ?, @LockOwner = 'Session';
