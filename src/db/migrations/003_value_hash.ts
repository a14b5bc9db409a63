import type { Kysely } from 'kysely';
import { legacyRowHash, LEGACY_HASH_PREFIX } from '../../hash.js';
import type { MigrationContext } from './index.js';
import { textTypes } from './columns.js';

const PAGE = 1_000;

/**
 * Row hashes are taken over the values as they will be written to monday (formatted for the
 * board's column types), no longer over the staged text. Formatting needs the board's
 * columns, which the database did not hold before this step, so `up` cannot compute the new
 * hashes itself: it keeps each row's hash, marked as the old kind, and the next merge (which
 * has the board) re-hashes every marked row whose old hash still matches staging, once,
 * without queuing it. `up` also adds the table that keeps the board's columns for merge and
 * plan. `down` gives every row its hash under the old definition again (recomputed from
 * the stored fields, name, group and cancellation) and drops the table.
 */
export function valueHash({ dialect }: MigrationContext) {
  const { key, text } = textTypes(dialect);
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('board_schemas')
        .addColumn('board_id', key, (c) => c.primaryKey())
        .addColumn('snapshot_json', text, (c) => c.notNull())
        .addColumn('fetched_at', text, (c) => c.notNull())
        .execute();
      await eachOrder(db, async (o) => (o.row_hash.startsWith(LEGACY_HASH_PREFIX) ? undefined : `${LEGACY_HASH_PREFIX}${o.row_hash}`));
    },
    async down(db: Kysely<any>) {
      await eachOrder(db, async (o) =>
        o.row_hash.startsWith(LEGACY_HASH_PREFIX)
          ? o.row_hash.slice(LEGACY_HASH_PREFIX.length)
          : legacyRowHash({
              fields: JSON.parse(o.fields_json) as Record<string, never>,
              groupName: o.group_name,
              itemName: o.item_name,
              cancelled: o.is_cancelled === 1,
            }),
      );
      await db.schema.dropTable('board_schemas').execute();
    },
  };
}

interface StoredOrder {
  id: number;
  row_hash: string;
  fields_json: string;
  group_name: string;
  item_name: string;
  is_cancelled: number;
}

async function eachOrder(db: Kysely<any>, next: (o: StoredOrder) => Promise<string | undefined>): Promise<void> {
  let after = 0;
  for (;;) {
    const rows = (await db
      .selectFrom('orders')
      .select(['id', 'row_hash', 'fields_json', 'group_name', 'item_name', 'is_cancelled'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute()) as StoredOrder[];
    if (rows.length === 0) return;
    for (const o of rows) {
      const hash = await next(o);
      if (hash !== undefined && hash !== o.row_hash) await db.updateTable('orders').set({ row_hash: hash }).where('id', '=', o.id).execute();
    }
    after = rows[rows.length - 1]!.id;
  }
}
