import { sql, type Kysely } from 'kysely';
import { dialectAdapter } from '../dialects/index.js';
import { textTypes } from './columns.js';
import type { MigrationContext } from './index.js';

/** The view's name follows the orders table's, so two environments' tables in one schema keep apart. */
export function boardValuesView(ctx: Pick<MigrationContext, 'tables'>): string {
  return `${ctx.tables.orders}_board_values`;
}

/**
 * Planners' values read back from the board (board-owned columns and `[mapping.read_back]`):
 * one JSON document per order, `name → board text`, with the time it was read, and a view with
 * one row per order and name, so SQL, Power BI and reports read them without JSON functions.
 */
export function boardValues(ctx: MigrationContext) {
  const view = boardValuesView(ctx);
  const adapter = dialectAdapter(ctx.dialect);
  const { text } = textTypes(ctx.dialect);
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('orders').addColumn('board_values_json', text).execute();
      await db.schema.alterTable('orders').addColumn('board_values_at', text).execute();
      const entries = adapter.jsonEntries(db.selectFrom('orders as o'), 'o.board_values_json', 'j');
      await db.schema
        .createView(view)
        .as(
          entries
            .select([sql.ref('o.id').as('order_id'), sql.ref('o.order_key').as('order_key'), sql.ref('o.customer').as('customer'), sql.ref('j.key').as('name'), sql.ref('j.value').as('value'), sql.ref('o.board_values_at').as('read_at')])
            .where(sql.ref('o.board_values_json'), 'is not', null),
        )
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropView(view).execute();
      await db.schema.alterTable('orders').dropColumn('board_values_at').execute();
      await db.schema.alterTable('orders').dropColumn('board_values_json').execute();
    },
  };
}
