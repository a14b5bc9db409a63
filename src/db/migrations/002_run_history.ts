import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';
import { inList, textTypes, withId } from './columns.js';

// The lists as this migration created them (see 001_orders.ts).
const RUN_STATUSES = ['RUNNING', 'OK', 'DEGRADED', 'FAILED', 'ABORTED'];
const EVENT_OUTCOMES = ['OK', 'ERROR', 'SKIPPED', 'ADOPTED', 'ROLLED_BACK'];

/** Run records, the per-operation journal (rollback replays it) and the API log. */
export function runHistory({ dialect, tables }: MigrationContext) {
  const { key, text } = textTypes(dialect);
  return {
    async up(db: Kysely<any>) {
      await withId(db.schema.createTable('sync_runs'), dialect)
        .addColumn('env', key, (c) => c.notNull())
        .addColumn('command', text, (c) => c.notNull())
        .addColumn('started_at', key, (c) => c.notNull())
        .addColumn('finished_at', text)
        .addColumn('status', text, (c) => c.notNull().check(sql.raw(inList('status', RUN_STATUSES))))
        .addColumn('verdict', text)
        .addColumn('counts_json', text, (c) => c.notNull().defaultTo('{}'))
        .addColumn('requests', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('mutations', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('complexity_used', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('rate_limit_waits', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('retries', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error', text)
        .addColumn('host', text)
        .addColumn('pid', 'integer')
        .addColumn('parent_run_id', 'integer')
        .addColumn('options_json', text)
        .execute();
      await db.schema.createIndex(`${tables.sync_runs}_env_idx`).on('sync_runs').columns(['env', 'started_at']).execute();

      await withId(db.schema.createTable('sync_events'), dialect)
        .addColumn('run_id', 'integer', (c) => c.notNull())
        .addColumn('order_key', key)
        .addColumn('size', text)
        .addColumn('operation', text, (c) => c.notNull())
        .addColumn('outcome', text, (c) => c.notNull().check(sql.raw(inList('outcome', EVENT_OUTCOMES))))
        .addColumn('board_id', text)
        .addColumn('monday_id', text)
        .addColumn('error_code', text)
        .addColumn('error_message', text)
        .addColumn('column_id', text)
        .addColumn('value', text)
        .addColumn('before_json', text)
        .addColumn('after_json', text)
        .addColumn('created_at', key, (c) => c.notNull())
        .execute();
      await db.schema.createIndex(`${tables.sync_events}_run_idx`).on('sync_events').column('run_id').execute();
      await db.schema.createIndex(`${tables.sync_events}_order_idx`).on('sync_events').column('order_key').execute();

      await withId(db.schema.createTable('api_log'), dialect)
        .addColumn('run_id', 'integer')
        .addColumn('request_id', text)
        .addColumn('idempotency_key', text)
        .addColumn('order_keys', text)
        .addColumn('operation', text)
        .addColumn('status', 'integer')
        .addColumn('duration_ms', 'integer')
        .addColumn('request', text)
        .addColumn('response', text)
        .addColumn('created_at', key, (c) => c.notNull())
        .execute();
      await db.schema.createIndex(`${tables.api_log}_run_idx`).on('api_log').column('run_id').execute();
      await db.schema.createIndex(`${tables.api_log}_created_idx`).on('api_log').column('created_at').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('api_log').execute();
      await db.schema.dropTable('sync_events').execute();
      await db.schema.dropTable('sync_runs').execute();
    },
  };
}
