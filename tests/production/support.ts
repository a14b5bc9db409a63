import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, starterConfig, type ResolvedConfig } from '../../src/config/index.js';
import { databaseTarget, openDatabase, type Db } from '../../src/db/connect.js';
import { migrateUp } from '../../src/db/migrations/index.js';
import { customerMasterScheduleSeed, startEmulator, type EmulatorSeed, type RunningEmulator } from '../../src/emulator/index.js';
import { fetchBoardSnapshot, writeSnapshot } from '../../src/monday/board-schema.js';
import { MondayClient } from '../../src/monday/client.js';
import { snapshotPath } from '../../src/monday/snapshot-files.js';
import { generateStaging, loadStaging, type StagingColumn, type StagingRow } from '../../src/sampledata/index.js';

export const DEV_BOARDS = { items: '9000000001', subitems: '9000000002' };
export const PROD_BOARDS = { items: '9100000001', subitems: '9100000002' };
export const TIME_SCALE = 60;

/** The shipped fixture boards plus a copy under other ids: the "production" boards. */
export function twoBoardSeed(): EmulatorSeed {
  const dev = customerMasterScheduleSeed();
  const prod = customerMasterScheduleSeed();
  const [items, subitems] = prod.boards;
  if (!items || !subitems) throw new Error('fixture changed: expected an items and a subitems board');
  items.id = PROD_BOARDS.items;
  items.name = `${items.name} (production)`;
  subitems.id = PROD_BOARDS.subitems;
  subitems.name = `${subitems.name} (production)`;
  for (const c of items.columns) if (c.type === 'subtasks' && c.settings) c.settings.boardIds = [Number(PROD_BOARDS.subitems)];
  return { boards: [...dev.boards, items, subitems] };
}

/** A dev and a protected prod environment, each with its own SQLite file and boards. */
export function twoEnvToml(apiUrl: string, extra = ''): string {
  return `${starterConfig({ apiUrl, complexityPerMinute: 10_000_000 * TIME_SCALE })}
[env.dev.database]
sqlite_path = "dev.db"

[env.prod]
protected = true
[env.prod.database]
sqlite_path = "prod.db"
[env.prod.monday]
items_board_id = "${PROD_BOARDS.items}"
subitems_board_id = "${PROD_BOARDS.subitems}"
${extra}`;
}

export interface World {
  dir: string;
  file: string;
  emulator: RunningEmulator;
  env: Record<string, string | undefined>;
  columns: StagingColumn[];
  rows: StagingRow[];
  config(env: string): ResolvedConfig;
  open(env: string): Promise<Db>;
  /** Creates (or replaces) the staging table of an environment's database, migrated. */
  load(env: string, rows: StagingRow[]): Promise<void>;
  client(): MondayClient;
  close(): Promise<void>;
}

export async function world(opts: { orders?: number; seed?: number; toml?: (apiUrl: string) => string } = {}): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'ordersync-prod-'));
  const emulator = await startEmulator({ timeScale: TIME_SCALE, seed: twoBoardSeed() });
  const file = join(dir, 'ordersync.toml');
  writeFileSync(file, (opts.toml ?? twoEnvToml)(emulator.url), { mode: 0o600 });
  const env = { MONDAY_API_TOKEN: emulator.token, ORDERSYNC_ENV: undefined, ORDERSYNC_ALERT_WEBHOOK: undefined };
  const envVars = { ...process.env, ...env } as NodeJS.ProcessEnv;
  const data = generateStaging({ seed: opts.seed ?? 5, orders: opts.orders ?? 24, customers: 2, mess: false });
  const rows = [...data.rows];
  const config = (name: string) => loadConfig({ path: file, env: name, envVars });
  const open = (name: string) => openDatabase(databaseTarget(config(name), envVars));
  return {
    dir,
    file,
    emulator,
    env,
    columns: data.columns,
    rows,
    config,
    open,
    async load(name, staged) {
      const db = await open(name);
      try {
        await migrateUp(db);
        await loadStaging(db.raw, config(name).settings.staging.table, data.columns, staged, { dialect: 'sqlite', replace: true });
      } finally {
        await db.close();
      }
    },
    client: () => new MondayClient({ apiUrl: emulator.url, apiVersion: '2026-10', token: emulator.token, complexityBudgetPerMinute: 10_000_000 * TIME_SCALE }),
    async close() {
      await emulator.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `ordersync board snapshot`, in-process. */
export async function takeSnapshots(cfg: ResolvedConfig, client: MondayClient): Promise<void> {
  for (const role of ['items', 'subitems'] as const) {
    const id = role === 'items' ? cfg.settings.monday.items_board_id : cfg.settings.monday.subitems_board_id;
    await writeSnapshot(snapshotPath(cfg, cfg.settings, cfg.envName, role), await fetchBoardSnapshot(client, id as string));
  }
}

/** The starter config's mapped columns, the status column and the subitems' size and quantity. */
const STATE_COLUMNS = ['text_mkr5wya6', 'dropdown_mkr542p2', 'text_mkr5ej2x', 'text_mktdechp', 'long_text_mktdy7re', 'dropdown_mkr58de6', 'dropdown_mkr5rgs6', 'dropdown_mkr518fc', 'date_mkr5zp5', 'date_mkr57811', 'numeric_mktb1d19', 'numeric_mkr5nhr7', 'color_mkr5j5pp', 'dropdown_mkrak7qp', 'numeric_mkra7j8e'];

/** What planners see: active items with their values, group and active subitems (size → qty). */
export async function boardState(client: MondayClient, boardId: string): Promise<Record<string, unknown>> {
  const items = await client.boardItems(boardId, { withSubitems: true, pageSize: 25, columnIds: STATE_COLUMNS, subitemColumnIds: ['dropdown_mkrak7qp', 'numeric_mkra7j8e'] });
  const out: Record<string, unknown> = {};
  for (const it of items) {
    if (it.state !== 'active') continue;
    const values = Object.fromEntries(it.column_values.filter((c) => c.type !== 'subtasks' && c.text !== null && c.text !== '').map((c) => [c.id, c.text]));
    const subs = (it.subitems ?? [])
      .filter((s) => s.state === 'active')
      .map((s) => `${s.name}:${s.column_values.map((c) => c.text ?? '').join('/')}`)
      .sort();
    out[it.id] = { name: it.name, group: it.group?.title, values, subs };
  }
  return out;
}

/** The rows' sync state (what the next run will do), without timestamps. */
export async function rowState(db: Db): Promise<{ orders: unknown[]; lines: unknown[] }> {
  const orders = await db.kysely
    .selectFrom('orders')
    .select(['order_key', 'action', 'sync_state', 'monday_item_id', 'monday_group_id', 'synced_fields_json'])
    .orderBy('order_key')
    .execute();
  const lines = await db.kysely
    .selectFrom('order_lines as l')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .select(['o.order_key', 'l.size', 'l.qty', 'l.action', 'l.sync_state', 'l.monday_subitem_id', 'l.synced_qty'])
    .orderBy('o.order_key')
    .orderBy('l.size')
    .execute();
  return {
    orders: orders.map((o) => ({ ...o, synced_fields_json: o.synced_fields_json ? JSON.parse(o.synced_fields_json) : null })),
    lines,
  };
}
