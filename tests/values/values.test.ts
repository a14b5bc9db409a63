import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDown, migrateUp } from '../../src/db/migrations/index.js';
import { canonicalJson, sha256 } from '../../src/merge/index.js';
import { MondayClient } from '../../src/monday/client.js';
import type { JobResult } from '../../src/jobs/run.js';
import { generateStaging, type StagingRow } from '../../src/sampledata/index.js';
import { planSync } from '../../src/sync/plan.js';
import { assertBoardMatches, expectedBoard, readBoard, type BoardView, type ExpectedBoard } from '../support/board.js';
import { createSyncEnv, ITEMS_BOARD, type SyncEnv } from '../support/sync-env.js';

/**
 * What lands on the board (issue 13), end to end: staging → merge → sync → the board read
 * back from the emulator over HTTP, on SQLite and PostgreSQL.
 */

const KEY = 'AAG ORDER NUMBER';
const STYLE = 'CUSTOMER STYLE';
const COLOUR = 'CUSTOMER COLOUR DESCRIPTION';
const COLOUR_COL = 'long_text_mktdy7re';
const TOTAL_COL = 'numeric_mktb1d19';
const ORDER_TYPE_COL = 'dropdown_mkr518fc';
const PO_COL = 'text_mkr5ej2x';
const DATE_COL = 'date_mkr5zp5';
/** Five code points (man, ZWJ, woman, ZWJ, girl) that are one character on screen. */
const FAMILY = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const codePoints = (s: string) => [...s].length;

describe.each(['sqlite', 'postgres'] as const)('values on the board, on %s', (engine) => {
  let env: SyncEnv;
  let api: MondayClient;
  let rows: StagingRow[];
  let board: ExpectedBoard = new Map();
  const key = (i: number) => String(rows[i]?.[KEY]);
  const view = (): Promise<BoardView> => readBoard(api, ITEMS_BOARD);

  beforeAll(async () => {
    env = await createSyncEnv({
      engine,
      patchConfig: (toml) => `${toml}\n[mapping.transforms]\n"ORDER TYPE" = { transform = ["trim", "upper"], values = { "ACTIVE" = "RECEIVED" } }\n"PO NUMBER" = { transform = ["collapse_space", "upper"] }\n`,
    });
    api = new MondayClient({ apiUrl: env.emulator.url, apiVersion: '2026-10', token: env.emulator.token });
    rows = [...generateStaging({ seed: 31, orders: 10, customers: 2, mess: false }).rows].map((r) => ({ ...r, 'ORDER TYPE': 'RECEIVED' }));
    // 253 letters, then a five-code-point emoji straddling monday's 255, then more.
    (rows[0] as StagingRow)[STYLE] = `${'A'.repeat(253)}${FAMILY}${'B'.repeat(44)}`;
    (rows[1] as StagingRow)[COLOUR] = 'NAVY '.repeat(500);
    (rows[2] as StagingRow)[COLOUR] = 'SKY\n  BLUE\t\tMARL';
    (rows[3] as StagingRow)[STYLE] = null;
    (rows[4] as StagingRow)['ORDER TYPE'] = ' active ';
    (rows[6] as StagingRow)['PO NUMBER'] = 'PO 4500 123';
  });
  afterAll(async () => {
    await env?.close();
  });

  async function step(change: (rows: StagingRow[]) => void, label: string): Promise<JobResult> {
    rows = rows.map((r) => ({ ...r }));
    change(rows);
    await env.load(rows);
    const result = await env.run();
    expect(result.status, `${label}: ${result.verdict.summary}`).toBe('OK');
    const want = expectedBoard(rows, env.cfg.settings, { previous: board });
    assertBoardMatches(await view(), want, `${engine} after ${label}`);
    board = want;
    return result;
  }

  it('a 300-character name is cut to 255 at a whole character, noted in the warnings, and the order reaches the board', async () => {
    const result = await step(() => undefined, 'first load');
    const long = (await view()).items.get(key(0));
    expect(long?.name).toBe('A'.repeat(253));
    expect(codePoints(long?.name ?? '')).toBeLessThanOrEqual(255);
    expect(long?.name).not.toMatch(LONE_SURROGATE);
    // The 2,500-character colour is part of its order's name too: two names were cut.
    expect(result.merge?.warnings.map((w) => w.key).sort()).toEqual([key(0), key(1)].sort());
    const full = `${String(rows[0]?.[STYLE])} ${String(rows[0]?.[COLOUR])} ${key(0)}`;
    expect(result.merge?.warnings.find((w) => w.key === key(0))?.message).toContain(`cut from ${codePoints(full)} to 255`);
    expect(result.verdict.summary).toContain('2 warnings');
    // Line breaks and runs of whitespace collapse; an empty part is skipped, not a reason to fall back.
    expect((await view()).items.get(key(2))?.name).toBe(`${String(rows[2]?.[STYLE])} SKY BLUE MARL ${key(2)}`);
    expect((await view()).items.get(key(3))?.name).toBe(`${String(rows[3]?.[COLOUR])} ${key(3)}`);
  });

  it('a 2,500-character colour shows its first 2,000 characters, nothing added; staging keeps the whole text', async () => {
    const colour = String(rows[1]?.[COLOUR]);
    expect(colour.length).toBe(2_500);
    const shown = (await view()).items.get(key(1))?.columns[COLOUR_COL] ?? '';
    expect(shown).toBe(colour.slice(0, 2_000));
    expect(shown).not.toContain('truncated');
    const stored = await env.db.kysely.selectFrom('orders').select('fields_json').where('order_key', '=', key(1)).executeTakeFirstOrThrow();
    expect((JSON.parse(stored.fields_json) as Record<string, string>)[COLOUR]).toBe(colour.trim());
  });

  it('the items board total is the synced quantity: 0 while cancelled, restored on reactivation', async () => {
    const k = key(5);
    const total = Number((await view()).items.get(k)?.columns[TOTAL_COL]);
    expect(total).toBeGreaterThan(0);
    expect(total).toBe(Object.values(board.get(k)?.subitems ?? {}).reduce((n, q) => n + q, 0));
    await step((r) => void ((r[5] as StagingRow)['ORDER TYPE'] = 'CANCELLED'), 'cancel');
    let item = (await view()).items.get(k);
    expect(item?.columns[TOTAL_COL]).toBe('0');
    expect(Object.values(item?.subitems ?? {}).every((s) => s.qty === 0)).toBe(true);
    // The staged TOTAL QTY is untouched: the board's number is computed, not copied.
    expect(Number(rows[5]?.['TOTAL QTY'])).toBe(total);
    await step((r) => void ((r[5] as StagingRow)['ORDER TYPE'] = 'RECEIVED'), 'reactivate');
    item = (await view()).items.get(k);
    expect(Number(item?.columns[TOTAL_COL])).toBe(total);
  });

  it('transforms and value maps apply before hashing: a case-only change sends nothing', async () => {
    expect((await view()).items.get(key(4))?.columns[ORDER_TYPE_COL]).toBe('RECEIVED');
    const before = (await view()).items.get(key(6))?.columns[PO_COL];
    const result = await step((r) => {
      (r[4] as StagingRow)['ORDER TYPE'] = 'Active';
      (r[6] as StagingRow)['PO NUMBER'] = 'po  4500\t123';
    }, 'case-only change');
    expect(result.merge?.counts.updated).toBe(0);
    expect(result.sync?.stats.mutations).toBe(0);
    expect((await view()).items.get(key(4))?.columns[ORDER_TYPE_COL]).toBe('RECEIVED');
    expect((await view()).items.get(key(6))?.columns[PO_COL]).toBe(before);
  });

  it('a database synced under the old row hash, migrated up, sends zero mutations on the next run', async () => {
    // Back to before the value hash (004, the item-id index, goes first; it comes back with the upgrade).
    await migrateDown(env.db, 2);
    const synced = await env.db.kysely.selectFrom('orders').select(['row_hash', 'fields_json', 'group_name', 'item_name', 'is_cancelled']).execute();
    expect(synced).toHaveLength(rows.length);
    for (const o of synced) {
      // The first definition, restated: the staged fields (no derived ones), group, name, cancellation.
      const fields = Object.fromEntries(Object.entries(JSON.parse(o.fields_json) as Record<string, unknown>).filter(([k]) => !k.startsWith('@')));
      expect(o.row_hash).toBe(sha256(canonicalJson({ fields, groupName: o.group_name, itemName: o.item_name, cancelled: o.is_cancelled === 1 })));
    }
    expect(await migrateUp(env.db)).toEqual(['applied 003_value_hash', 'applied 004_item_id_unique', 'applied 005_board_values']);
    const result = await env.run();
    expect(result.status).toBe('OK');
    expect(result.merge?.counts.unchanged).toBe(rows.length);
    expect(result.merge?.counts.updated).toBe(0);
    expect(result.sync?.stats.mutations).toBe(0);
    const after = await env.db.kysely.selectFrom('orders').select(['row_hash', 'sync_state']).execute();
    expect(after.every((o) => !o.row_hash.startsWith('v1:') && o.sync_state === 'SYNCED')).toBe(true);
    expect((await env.run()).merge?.counts.rows_written).toBe(0);
    assertBoardMatches(await view(), board, `${engine} after the upgrade`);
  });
  it('a format-only change (date with a midnight time, trailing spaces, an unmapped column) sends 0 mutations and plans as unchanged', async () => {
    const change = (r: StagingRow[]) => {
      for (const row of r) {
        const d = row['ORDER DATE PO RECEIVED'];
        if (typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d)) row['ORDER DATE PO RECEIVED'] = `${d} 00:00:00`;
        row[STYLE] = row[STYLE] === null ? null : `${String(row[STYLE])}   `;
        row.DESTINATION = 'SOMEWHERE ELSE';
      }
    };
    const next = rows.map((r) => ({ ...r }));
    change(next);
    await env.load(next);
    const plan = await planSync(env.db, env.cfg.settings);
    expect(plan.merge.counts.updated).toBe(0);
    expect(plan.merge.counts.unchanged).toBe(rows.length);
    expect(plan.estimate.itemMutations).toBe(0);
    const dates = (await view()).items.get(key(7))?.columns[DATE_COL];
    const result = await step(change, 'format-only change');
    expect(result.merge?.counts.unchanged).toBe(rows.length);
    expect(result.sync?.stats.mutations).toBe(0);
    expect((await view()).items.get(key(7))?.columns[DATE_COL]).toBe(dates);
  });

});
