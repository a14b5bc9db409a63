import { sql } from 'kysely';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { merge } from '../../src/merge/index.js';
import { KEY_COLUMN, type StagingRow } from '../../src/sampledata/index.js';
import { runCli } from '../support/cli.js';
import { DEV_BOARDS, PROD_BOARDS, takeSnapshots, twoEnvToml, world, type World } from './support.js';

/**
 * Each mistake the prior system's production config made (or could have made) is caught by
 * `ordersync config validate --all`, with a message that names it.
 */
describe('environment guarantees', () => {
  let w: World;
  let n = 0;

  beforeAll(async () => {
    w = await world({ orders: 12 });
    await takeSnapshots(w.config('dev'), w.client());
    await takeSnapshots(w.config('prod'), w.client());
    // Staging is inspected for column types (a typed numeric column may feed a numbers column).
    await w.load('dev', w.rows);
    await w.load('prod', w.rows);
  }, 30_000);
  afterAll(async () => {
    await w?.close();
  });

  /** A config folder with the good snapshots and `edit` applied to the two-environment file. */
  async function validateAll(edit: (toml: string) => string, snapshots?: (boards: string) => void) {
    const dir = join(w.dir, `case-${++n}`);
    mkdirSync(dir);
    cpSync(join(w.dir, 'boards'), join(dir, 'boards'), { recursive: true });
    for (const f of ['dev.db', 'prod.db']) cpSync(join(w.dir, f), join(dir, f));
    snapshots?.(join(dir, 'boards'));
    writeFileSync(join(dir, 'ordersync.toml'), edit(twoEnvToml(w.emulator.url)));
    return runCli(['--config', join(dir, 'ordersync.toml'), 'config', 'validate', '--all'], { cwd: dir, env: w.env });
  }

  it.concurrent('accepts the correct dev/prod pair', async () => {
    const r = await validateAll((t) => t);
    expect(r.stdout + r.stderr).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
  });

  it.concurrent('two environments sharing a board', async () => {
    const r = await validateAll((t) => t.replace(`items_board_id = "${PROD_BOARDS.items}"`, `items_board_id = "${DEV_BOARDS.items}"`));
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/environments "dev" and "prod" share board 9000000001/);
  });

  it.concurrent('two environments sharing a database', async () => {
    const r = await validateAll((t) => t.replace('sqlite_path = "prod.db"', 'sqlite_path = "dev.db"'));
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/environments "dev" and "prod" share the SQLite database dev\.db/);
  });

  it.concurrent('a snapshot of the other environment\'s board (the dev/prod swap)', async () => {
    const r = await validateAll(
      (t) => t,
      (boards) => {
        cpSync(join(boards, 'dev.items.json'), join(boards, 'prod.items.json'));
      },
    );
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/\[env\.prod\] monday\.items_board_id: the items board snapshot is of board 9000000001 .* but the environment syncs board 9100000001: a swapped board\?/);
  });

  it.concurrent('a swap of board ids between the environments', async () => {
    // The prior system's file: [prod] held the dev boards and [dev] the prod boards.
    const r = await validateAll((t) =>
      t
        .replace(`items_board_id = "${DEV_BOARDS.items}"`, 'items_board_id = "DEV_TMP"')
        .replace(`items_board_id = "${PROD_BOARDS.items}"`, `items_board_id = "${DEV_BOARDS.items}"`)
        .replace('items_board_id = "DEV_TMP"', `items_board_id = "${PROD_BOARDS.items}"`),
    );
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/\[env\.dev\] monday\.items_board_id: the items board snapshot is of board 9000000001 .* but the environment syncs board 9100000001/);
    expect(r.stdout).toMatch(/\[env\.prod\] monday\.items_board_id: the items board snapshot is of board 9100000001 .* but the environment syncs board 9000000001/);
  });

  it.concurrent('a column id mapped twice', async () => {
    const r = await validateAll((t) => `${t}[env.prod.mapping.columns]\n"CUSTOMER STYLE" = "text_mkr5ej2x"\n`);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/\[env\.prod\] mapping\.columns: monday column text_mkr5ej2x is mapped twice \(from "PO NUMBER" and "CUSTOMER STYLE"\)/);
  });

  it.concurrent('a date mapped onto a dropdown (the prior production bug)', async () => {
    const r = await validateAll((t) => `${t}[env.prod.mapping.columns]\n"ETA CUSTOMER WAREHOUSE DATE" = "dropdown_mkr5w5e"\n`);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/\[env\.prod\] mapping\.columns\."ETA CUSTOMER WAREHOUSE DATE": "ETA CUSTOMER WAREHOUSE DATE" holds dates but dropdown_mkr5w5e "DROP" is a dropdown column/);
  });

  it.concurrent('--online checks against the live boards, without snapshots', async () => {
    const dir = join(w.dir, `case-${++n}`);
    mkdirSync(dir);
    for (const f of ['dev.db', 'prod.db']) cpSync(join(w.dir, f), join(dir, f));
    const file = join(dir, 'ordersync.toml');
    writeFileSync(file, `${twoEnvToml(w.emulator.url)}[env.prod.mapping.columns]\n"EX FACTORY DATE" = "numeric_mkr5nhr7"\n`);
    const offline = await runCli(['--config', file, 'config', 'validate', '--all'], { cwd: dir, env: w.env });
    expect(offline.stdout).toMatch(/no board snapshot/);
    const online = await runCli(['--config', file, 'config', 'validate', '--all', '--online'], { cwd: dir, env: w.env });
    expect(online.code).toBe(3);
    expect(online.stdout).toMatch(/\[env\.prod\] mapping\.columns\."EX FACTORY DATE": "EX FACTORY DATE" holds dates but numeric_mkr5nhr7 .* is a numbers column/);
    expect(online.stdout).not.toMatch(/\[env\.dev\].*error/);
  });

  it.concurrent('a protected environment as the default', async () => {
    const r = await validateAll((t) => t.replace('default_env = "dev"', 'default_env = "prod"'));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/default_env = "prod" is a protected environment; a protected environment cannot be the default/);
  });

  it('the row hash covers every mapped column: changing any one queues an UPDATE', async () => {
    // By construction (SPEC §2): row_hash is computed over every mapped field, the group and the
    // item name, so no mapped column can be left out of it. Proven column by column here.
    const cfg = w.config('dev');
    const rows = w.rows.map((r) => ({ ...r }));
    await w.load('dev', rows);
    const db = await w.open('dev');
    try {
      await merge(db, cfg.settings);
      const target = String(rows[0]?.[KEY_COLUMN]);
      // Staging columns only: a derived source (@total_qty) changes with what it is derived from.
      const mapped = Object.keys(cfg.settings.mapping.columns).filter((c) => !cfg.settings.staging.key_columns.includes(c) && !c.startsWith('@'));
      expect(mapped.length).toBeGreaterThan(5);
      for (const column of mapped) {
        // As if every order had been synced: only a change can queue one again.
        // (each its own item: one board item belongs to one order)
        await db.kysely.updateTable('orders').set({ action: 'NONE', sync_state: 'SYNCED', monday_item_id: sql<string>`'item-' || id` }).execute();
        const before = await db.kysely.selectFrom('orders').select('row_hash').where('order_key', '=', target).executeTakeFirstOrThrow();
        const row = rows[0] as StagingRow;
        row[column] = changed(column, row[column] ?? null);
        await db.close().catch(() => undefined);
        await w.load('dev', rows);
        const db2 = await w.open('dev');
        await merge(db2, cfg.settings);
        const after = await db2.kysely.selectFrom('orders').select(['row_hash', 'action', 'sync_state']).where('order_key', '=', target).executeTakeFirstOrThrow();
        const others = await db2.kysely.selectFrom('orders').select('order_key').where('sync_state', '=', 'PENDING').execute();
        await db2.close();
        expect(after.row_hash, column).not.toBe(before.row_hash);
        expect([after.action, after.sync_state], column).toEqual(['UPDATE', 'PENDING']);
        expect(others.map((o) => o.order_key), column).toEqual([target]);
        Object.assign(db, await w.open('dev'));
      }
    } finally {
      await db.close().catch(() => undefined);
    }
  }, 30_000);
});

function changed(column: string, v: string | number | null): string | number {
  if (/DATE/.test(column)) return v === '2030-01-02' ? '2030-01-03' : '2030-01-02';
  if (typeof v === 'number') return v + 1;
  if (/QTY|FOB|PRICE/.test(column)) return Number(v ?? 0) + 1;
  return `${v ?? ''} changed`;
}
