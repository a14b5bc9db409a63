import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';
import { inList, textTypes, withId } from './columns.js';

// The lists as this migration created them: a later change to the runtime lists (src/db/types.ts)
// is a migration of its own, never a silent edit of this one.
const ORDER_ACTIONS = ['INSERT', 'UPDATE', 'CANCEL', 'ARCHIVE', 'NONE'];
const LINE_ACTIONS = ['INSERT', 'UPDATE', 'DELETE', 'NONE'];
const SYNC_STATES = ['PENDING', 'IN_FLIGHT', 'SYNCED', 'ERROR', 'SKIPPED'];

/** Orders and lines carry their own sync state (no delta tables), plus the group cache and run lock. */
export function orders({ dialect, tables }: MigrationContext) {
  const { key, text } = textTypes(dialect);
  return {
    async up(db: Kysely<any>) {
      await withId(db.schema.createTable('orders'), dialect)
        .addColumn('order_key', key, (c) => c.notNull().unique())
        .addColumn('key_values', text, (c) => c.notNull())
        .addColumn('customer', key)
        .addColumn('customer_season', key)
        .addColumn('aag_season', text)
        .addColumn('order_type', text)
        .addColumn('total_qty', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('group_name', text, (c) => c.notNull())
        .addColumn('item_name', text, (c) => c.notNull())
        .addColumn('fields_json', text, (c) => c.notNull())
        .addColumn('synced_fields_json', text)
        .addColumn('row_hash', text, (c) => c.notNull())
        .addColumn('lines_hash', text, (c) => c.notNull())
        .addColumn('is_cancelled', 'integer', (c) => c.notNull().defaultTo(0).check(sql.raw('is_cancelled in (0, 1)')))
        .addColumn('in_staging', 'integer', (c) => c.notNull().defaultTo(1).check(sql.raw('in_staging in (0, 1)')))
        .addColumn('action', key, (c) => c.notNull().check(sql.raw(inList('action', ORDER_ACTIONS))))
        .addColumn('sync_state', key, (c) => c.notNull().check(sql.raw(inList('sync_state', SYNC_STATES))))
        .addColumn('monday_item_id', key)
        .addColumn('monday_group_id', text)
        .addColumn('idempotency_key', text)
        .addColumn('in_flight_since', text)
        .addColumn('retry_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error_code', text)
        .addColumn('last_error', text)
        .addColumn('last_error_column', text)
        .addColumn('last_error_value', text)
        .addColumn('pending_since', text)
        .addColumn('synced_at', text)
        .addColumn('last_run_id', 'integer')
        .addColumn('staging_row', 'integer')
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        .execute();
      await db.schema.createIndex(`${tables.orders}_state_idx`).on('orders').columns(['sync_state', 'action']).execute();
      await db.schema.createIndex(`${tables.orders}_customer_idx`).on('orders').columns(['customer', 'customer_season']).execute();

      await withId(db.schema.createTable('order_lines'), dialect)
        .addColumn('order_id', 'integer', (c) => c.notNull().references(`${tables.orders}.id`).onDelete('cascade'))
        .addColumn('size', key, (c) => c.notNull())
        .addColumn('size_position', 'integer', (c) => c.notNull())
        .addColumn('qty', 'integer', (c) => c.notNull().check(sql.raw('qty >= 0')))
        .addColumn('synced_qty', 'integer')
        .addColumn('action', key, (c) => c.notNull().check(sql.raw(inList('action', LINE_ACTIONS))))
        .addColumn('sync_state', key, (c) => c.notNull().check(sql.raw(inList('sync_state', SYNC_STATES))))
        .addColumn('monday_subitem_id', text)
        .addColumn('idempotency_key', text)
        .addColumn('in_flight_since', text)
        .addColumn('retry_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error_code', text)
        .addColumn('last_error', text)
        .addColumn('synced_at', text)
        .addColumn('last_run_id', 'integer')
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        .addUniqueConstraint(`${tables.order_lines}_order_size_uq`, ['order_id', 'size'])
        .execute();
      await db.schema.createIndex(`${tables.order_lines}_state_idx`).on('order_lines').columns(['sync_state', 'action']).execute();

      await db.schema
        .createTable('monday_groups')
        .addColumn('board_id', key, (c) => c.notNull())
        .addColumn('title', key, (c) => c.notNull())
        .addColumn('group_id', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .addPrimaryKeyConstraint(`${tables.monday_groups}_pk`, ['board_id', 'title'])
        .execute();

      await db.schema
        .createTable('run_lock')
        .addColumn('name', key, (c) => c.primaryKey())
        .addColumn('holder', text, (c) => c.notNull())
        .addColumn('pid', 'integer', (c) => c.notNull())
        .addColumn('host', text, (c) => c.notNull())
        .addColumn('acquired_at', text, (c) => c.notNull())
        .addColumn('expires_at', text, (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('run_lock').execute();
      await db.schema.dropTable('monday_groups').execute();
      await db.schema.dropTable('order_lines').execute();
      await db.schema.dropTable('orders').execute();
    },
  };
}
