/**
 * npm run bench:verify — what `ordersync verify` (a full read-back of the board) costs in
 * requests and complexity against the floor: reading the same items, with the same columns and
 * subitems, once, at 500 per page. Also what a run's `verify.after_run = "changed"` check costs
 * when planners touched a few items (the shortcut between full verifies).
 *
 *   npm run bench:verify -- [--orders 10000] [--touched 20]
 *
 * The board is filled by a real sync of generated orders (about five sizes, so five subitems,
 * each) against the emulator with budgets out of the way; only the read-backs are measured.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { verifyBoard } from '../src/checks/verify.js';
import { loadConfig, starterConfig } from '../src/config/index.js';
import { boardKey, subitemColumnIds } from '../src/config/board-keys.js';
import { databaseTarget, openDatabase } from '../src/db/connect.js';
import { migrateUp } from '../src/db/migrations/index.js';
import { customerMasterScheduleSeed, startEmulator } from '../src/emulator/index.js';
import { runJob } from '../src/jobs/run.js';
import { clientFromConfig } from '../src/monday/from-config.js';
import { generateStaging, loadStaging, stagingColumns } from '../src/sampledata/index.js';
import { keyColumns } from '../src/sync/index.js';

const { values: args } = parseArgs({ options: { orders: { type: 'string', default: '10000' }, touched: { type: 'string', default: '20' } } });
const orders = Number(args.orders);
const touched = Number(args.touched);
const TARGET = 1.2;

const dir = mkdtempSync(join(tmpdir(), 'ordersync-bench-verify-'));
const token = 'bench-token';
const emu = await startEmulator({ token, timeScale: 1, seed: customerMasterScheduleSeed(), limits: { dailyCalls: 1e9, requestsPerMinute: 1e9, complexityPerMinute: 1e12, itemsPerBoard: 1e7 } });
try {
  const file = join(dir, 'ordersync.toml');
  writeFileSync(file, starterConfig({ apiUrl: emu.url, complexityPerMinute: 1e12, note: 'bench: budget out of the way' }).replace(/batch_size = \d+/, 'batch_size = 100'), { mode: 0o600 });
  const envVars = { ...process.env, MONDAY_API_TOKEN: token, ORDERSYNC_ENV: undefined };
  const cfg = loadConfig({ path: file, envVars });
  const db = await openDatabase(databaseTarget(cfg, envVars));
  try {
    await migrateUp(db);
    const staging = generateStaging({ seed: 16, orders, customers: 20, mess: { duplicateShare: 0, cancelledShare: 0, emptyKeyShare: 0, blankRowShare: 0 } });
    await loadStaging(db.raw, cfg.settings.staging.table, stagingColumns(), staging.rows, { dialect: 'sqlite', replace: true });
    const t0 = Date.now();
    const load = await runJob(db, cfg, { command: 'run', envVars });
    if (load.status !== 'OK') throw new Error(`the initial sync was ${load.status}: ${load.verdict.summary}`);
    const s = cfg.settings;
    const items = await db.kysely.selectFrom('orders').select((e) => e.fn.countAll<number>().as('n')).where('monday_item_id', 'is not', null).executeTakeFirstOrThrow();
    const subitems = await db.kysely.selectFrom('order_lines').select((e) => e.fn.countAll<number>().as('n')).where('monday_subitem_id', 'is not', null).executeTakeFirstOrThrow();
    console.log(`board filled: ${Number(items.n)} items, ${Number(subitems.n)} subitems (${((Date.now() - t0) / 1000).toFixed(0)} s)`);

    // The floor: the same columns and subitems, read once at 500 per page, nothing else.
    const { client: floorClient } = clientFromConfig(cfg, {}, envVars);
    const sub = subitemColumnIds(s);
    const columnIds = [...new Set([...keyColumns(boardKey(s)), ...Object.values(s.mapping.columns)])];
    const read = await floorClient.boardItems(s.monday.items_board_id as string, { columnIds, withSubitems: true, subitemColumnIds: [sub.size, sub.qty], pageSize: 500 });
    const floor = { requests: floorClient.stats.requests, complexityUsed: floorClient.stats.complexityUsed, items: read.length };

    const full = await verifyBoard(db, cfg, { envVars });
    if (full.findings.length !== 0) throw new Error(`a freshly synced board shows ${full.findings.length} finding(s)`);
    const ratio = full.api.requests / floor.requests;

    // A pause past the windows' 15 s overlap (runs are minutes apart in production), then a quiet
    // run: the measured check reads only what planners did since, not the load's own writes.
    await new Promise((r) => setTimeout(r, 16_000));
    await runJob(db, cfg, { command: 'run', envVars });
    // The shortcut: planners touch a few items; a run with unchanged staging checks those through the activity log.
    const ids = (await db.kysely.selectFrom('orders').select('monday_item_id').where('monday_item_id', 'is not', null).orderBy('id').limit(touched).execute()).map((r) => r.monday_item_id as string);
    for (const id of ids) {
      await fetch(emu.url.replace(/\/v2$/, '/__emulator/as-user'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: token },
        body: JSON.stringify({ user_id: '9000000077', query: 'mutation ($b: ID!, $i: ID!) { change_simple_column_value(board_id: $b, item_id: $i, column_id: "text_mkr5ej2x", value: "PO-BY-PLANNER") { id } }', variables: { b: s.monday.items_board_id, i: id } }),
      });
    }
    const changed = await runJob(db, cfg, { command: 'run', envVars });
    const check = changed.proof?.check;

    const rows = [
      { read: 'floor: items once, 500 per page', requests: floor.requests, complexity: floor.complexityUsed, items: floor.items },
      { read: 'ordersync verify (full)', requests: full.api.requests, complexity: full.api.complexityUsed, items: full.checked.boardItems },
      { read: `run check, ${touched} touched (changed)`, requests: check?.api.requests ?? 0, complexity: check?.api.complexityUsed ?? 0, items: changed.proof?.checked.orders ?? 0 },
      { read: '  of which activity logs', requests: check?.activity?.requests ?? 0, complexity: check?.activity?.complexityUsed ?? 0, items: check?.activity?.events ?? 0 },
    ];
    console.table(rows);
    console.log(`full verify: ${ratio.toFixed(3)}× the floor's requests (target ≤ ${TARGET}), ${(full.api.complexityUsed / floor.complexityUsed).toFixed(3)}× its complexity`);
    console.log(`changed check found ${changed.proof?.counts.column_changed ?? 0} planner edit(s) of ${touched} (mode ${check?.mode})`);
    if (ratio > TARGET) process.exitCode = 1;
  } finally {
    await db.close();
  }
} finally {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
}
