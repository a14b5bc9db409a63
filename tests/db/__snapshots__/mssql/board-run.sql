-- board_schemas
merge into "board_schemas" with (holdlock) as t using (values (?, ?, ?)) as s ("board_id", "snapshot_json", "fetched_at") on t."board_id" = s."board_id" when matched then update set "snapshot_json" = ?, "fetched_at" = ? when not matched then insert ("board_id", "snapshot_json", "fetched_at") values (s."board_id", s."snapshot_json", s."fetched_at");

-- monday_groups
merge into "monday_groups" with (holdlock) as t using (values (?, ?, ?, ?), …) as s ("board_id", "title", "group_id", "created_at") on t."board_id" = s."board_id" and t."title" = s."title" when matched then update set "group_id" = s."group_id" when not matched then insert ("board_id", "title", "group_id", "created_at") values (s."board_id", s."title", s."group_id", s."created_at");
select "title", "group_id" from "monday_groups" where "board_id" = ?;
