import type { Settings } from '../config/index.js';
import type { Db } from '../db/index.js';
import type { FieldValue, ValueFormatter } from '../merge/index.js';
import { boardSnapshotSchema, subitemsBoardId, formatValue, type BoardSnapshot } from '../monday/index.js';

/** Keeps the items board's columns, so merge and plan can hash values as written without monday. */
export async function storeBoard(db: Db, board: BoardSnapshot): Promise<void> {
  const values = { board_id: board.board_id, snapshot_json: JSON.stringify(board), fetched_at: board.fetched_at };
  await db.kysely
    .insertInto('board_schemas')
    .values(values)
    .onConflict((oc) => oc.column('board_id').doUpdateSet({ snapshot_json: values.snapshot_json, fetched_at: values.fetched_at }))
    .execute();
}

/** The configured items board as the last run read it, if any run has. */
export async function storedBoard(db: Db, s: Settings): Promise<BoardSnapshot | undefined> {
  return readStored(db, s.monday.items_board_id);
}

/** Both boards as the last run read them (plan decides requests against them). */
export async function storedBoards(db: Db, s: Settings): Promise<{ items?: BoardSnapshot; subitems?: BoardSnapshot }> {
  const items = await readStored(db, s.monday.items_board_id);
  return { items, subitems: await readStored(db, s.monday.subitems_board_id ?? (items && subitemsBoardId(items))) };
}

async function readStored(db: Db, id: string | undefined): Promise<BoardSnapshot | undefined> {
  if (!id) return undefined;
  const row = await db.kysely.selectFrom('board_schemas').select('snapshot_json').where('board_id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const parsed = boardSnapshotSchema.safeParse(JSON.parse(row.snapshot_json));
  return parsed.success ? parsed.data : undefined;
}

/** Formats a value for an items-board column the way the sync will send it. */
export function valueFormatter(s: Settings, board: BoardSnapshot | undefined): ValueFormatter | undefined {
  if (!board) return undefined;
  const columns = new Map(board.columns.map((c) => [c.id, c]));
  const options = { longTextOverflow: s.mapping.long_text_overflow };
  return (columnId: string, value: FieldValue) => {
    const column = columns.get(columnId);
    if (!column) return value;
    const r = formatValue(column, value, options);
    // A value that cannot be formatted fails its row at sync; hashed as staged, a fix is a change.
    return r.ok ? r.value : { unformatted: value };
  };
}

/** The formatter merge and plan use when they run without reading the board. */
export async function storedFormatter(db: Db, s: Settings): Promise<ValueFormatter | undefined> {
  return valueFormatter(s, await storedBoard(db, s));
}
