-- run_lock
delete from "run_lock" where "name" = ? and "pid" = ?;
insert into "run_lock" ("name", "holder", "pid", "host", "acquired_at", "expires_at") values (?, ?, ?, ?, ?, ?);
select * from "run_lock" where "name" = ?;
update "run_lock" set "expires_at" = ? where "name" = ? and "pid" = ?;
