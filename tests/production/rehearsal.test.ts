import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, starterConfig } from '../../src/config/index.js';
import { databaseTarget, openDatabase } from '../../src/db/connect.js';
import { migrateUp } from '../../src/db/migrations/index.js';
import { FIRST_MARKER, KEY_COLUMN, LAST_MARKER, loadStaging, type StagingRow } from '../../src/sampledata/index.js';
import { runCutover } from '../../src/jobs/cutover.js';
import { runDoctor } from '../../src/checks/doctor.js';
import { runJob } from '../../src/jobs/run.js';
import { runRollback } from '../../src/jobs/rollback.js';
import { runCli } from '../support/cli.js';
import { boardState, PROD_BOARDS, rowState, takeSnapshots, TIME_SCALE, world, type World } from './support.js';

/**
 * The production rehearsal, end to end through the CLI: a dev run; a "prod" board that already
 * holds items from the prior system; cutover (baseline adopts them, no duplicates) → canary →
 * full; rollback of the full run puts the board and the rows back as they were after the canary.
 */
describe('cutover and rollback rehearsal', () => {
  let w: World;
  const cli = (args: string[]) => runCli(['--config', w.file, ...args], { cwd: w.dir, env: w.env, timeoutMs: 60_000 });
  let legacyKeys: string[];
  let changedPo: string;
  let changedQty: { key: string; size: string; qty: number };

  beforeAll(async () => {
    w = await world({ orders: 24 });
    const sizes = w.columns.map((c) => c.name);
    const sizeNames = sizes.slice(sizes.indexOf(FIRST_MARKER) + 1, sizes.indexOf(LAST_MARKER));
    // The prior system created the last 8 orders on the prod board, with two values since changed.
    const legacyRows: StagingRow[] = w.rows.slice(-8).map((r) => ({ ...r }));
    legacyKeys = legacyRows.map((r) => String(r[KEY_COLUMN]));
    const a = legacyRows[0] as StagingRow;
    changedPo = String(a[KEY_COLUMN]);
    a['PO NUMBER'] = 'PO-OLD-1';
    const b = legacyRows[1] as StagingRow;
    const size = sizeNames.find((s) => Number(b[s] ?? 0) > 0) as string;
    changedQty = { key: String(b[KEY_COLUMN]), size, qty: Number(b[size]) };
    b[size] = changedQty.qty + 5;

    const legacyFile = join(w.dir, 'legacy.toml');
    writeFileSync(
      legacyFile,
      starterConfig({ apiUrl: w.emulator.url, itemsBoardId: PROD_BOARDS.items, subitemsBoardId: PROD_BOARDS.subitems, complexityPerMinute: 10_000_000 * TIME_SCALE })
        .replace('sqlite_path = "ordersync.db"', 'sqlite_path = "legacy.db"')
        .replace(/default_env = "dev"/, 'default_env = "legacy"')
        .replaceAll('[env.dev', '[env.legacy'),
    );
    const legacyCfg = loadConfig({ path: legacyFile, envVars: { ...process.env, ...w.env } as NodeJS.ProcessEnv });
    const ldb = await openDatabase(databaseTarget(legacyCfg));
    await migrateUp(ldb);
    await loadStaging(ldb.raw, legacyCfg.settings.staging.table, w.columns, legacyRows, { dialect: 'sqlite' });
    const legacy = await runJob(ldb, legacyCfg, { command: 'run', envVars: { ...process.env, ...w.env } as NodeJS.ProcessEnv });
    expect(legacy.status).toBe('OK');
    await ldb.close();

    await w.load('dev', w.rows);
    await w.load('prod', w.rows);
  }, 60_000);

  afterAll(async () => {
    await w?.close();
  });

  it('runs dev, cuts prod over without duplicates, and rolls the full run back', async () => {
    const dev = await cli(['--env', 'dev', 'run']);
    expect(dev.code, dev.stderr + dev.stdout).toBe(0);

    const client = w.client();
    const envVars = { ...process.env, ...w.env } as NodeJS.ProcessEnv;
    const legacyBoard = await boardState(client, PROD_BOARDS.items);
    expect(Object.keys(legacyBoard)).toHaveLength(8);

    const prod = w.config('prod');
    await takeSnapshots(prod, client);
    const report = await runDoctor(prod, { envVars });
    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);

    // Baseline: adopts the 8 items, lists exactly the two changed values, writes nothing to monday.
    const base = await cli(['--env', 'prod', '--yes', 'cutover', '--baseline-only', '--json']);
    expect(base.code, base.stderr + base.stdout).toBe(0);
    const b = JSON.parse(base.stdout) as { baseline: { adoptedItems: number; identicalItems: number; notOnBoard: number; differences: Array<{ order_key: string; what: string; board: string | null; staging: string | null }> } };
    expect(b.baseline.adoptedItems).toBe(8);
    // The quantity differs on a subitem, and so does the item's total, derived from its lines (@total_qty).
    expect(b.baseline.identicalItems).toBe(6);
    expect(b.baseline.notOnBoard).toBe(16);
    expect(b.baseline.differences.map((d) => [d.order_key, d.what.split(' (')[0]]).sort()).toEqual(
      [
        [changedPo, 'PO NUMBER'],
        [changedQty.key, '@total_qty'],
        [changedQty.key, `size ${changedQty.size} quantity`],
      ].sort(),
    );
    expect(await boardState(client, PROD_BOARDS.items)).toEqual(legacyBoard);

    // Canary: 5 new orders, then stop to look at the board.
    const canary = await cli(['--env', 'prod', '--yes', 'cutover', '--limit', '5', '--canary-only']);
    expect(canary.code, canary.stderr + canary.stdout).toBe(0);
    expect(canary.stdout).toMatch(/baseline\s+skipped/);
    const afterCanary = await boardState(client, PROD_BOARDS.items);
    expect(Object.keys(afterCanary)).toHaveLength(13);
    let db = await w.open('prod');
    const rowsAfterCanary = await rowState(db);
    await db.close();

    // Resume: the full run; baseline and canary are not repeated.
    const full = await cli(['--env', 'prod', '--yes', 'cutover', '--json']);
    expect(full.code, full.stderr + full.stdout).toBe(0);
    const f = JSON.parse(full.stdout) as { complete: boolean; rootRunId: number; steps: Array<{ step: string; status: string; runId?: number }> };
    expect(f.complete).toBe(true);
    expect(f.steps.map((s) => `${s.step}:${s.status}`)).toEqual(['preflight:done', 'baseline:skipped', 'canary:skipped', 'full:done']);
    const fullRunId = f.steps.find((s) => s.step === 'full')?.runId as number;

    const afterFull = await boardState(client, PROD_BOARDS.items);
    expect(Object.keys(afterFull)).toHaveLength(24);
    const keys = Object.values(afterFull).map((it) => (it as { values: Record<string, string> }).values.text_mkr5wya6);
    expect(new Set(keys).size).toBe(24);
    for (const k of legacyKeys) expect(keys).toContain(k);
    // The adopted items got the differences, in place.
    const adoptedPo = Object.values(afterFull).find((it) => (it as { values: Record<string, string> }).values.text_mkr5wya6 === changedPo) as { values: Record<string, string> };
    expect(adoptedPo.values.text_mkr5ej2x).not.toBe('PO-OLD-1');

    db = await w.open('prod');
    const runs = await db.kysely.selectFrom('sync_runs').select(['id', 'command', 'status', 'parent_run_id']).where('env', '=', 'prod').orderBy('id').execute();
    await db.close();
    const root = f.rootRunId;
    expect(runs.filter((r) => r.command.startsWith('cutover:')).map((r) => [r.command, r.status, r.id === root ? null : r.parent_run_id])).toEqual([
      ['cutover:preflight', 'OK', null],
      ['cutover:baseline', 'OK', root],
      ['cutover:preflight', 'OK', root],
      ['cutover:canary', 'OK', root],
      ['cutover:preflight', 'OK', root],
      ['cutover:full', 'OK', root],
    ]);
    const again = await runCutover(prod, { envVars });
    expect(again.complete).toBe(true);
    expect(again.steps.every((s) => s.status === 'skipped')).toBe(true);

    // Rollback of the full run: a dry run changes nothing; the real one restores the canary state.
    db = await w.open('prod');
    const dry = await runRollback(db, prod, fullRunId, { dryRun: true, envVars });
    await db.close();
    expect(dry.steps.length).toBeGreaterThan(0);
    expect(dry.steps.some((s) => s.action === 'restore')).toBe(true);
    expect(await boardState(client, PROD_BOARDS.items)).toEqual(afterFull);

    const rb = await cli(['--env', 'prod', '--yes', 'rollback', '--run', String(fullRunId)]);
    expect(rb.code, rb.stderr + rb.stdout).toBe(0);
    expect(await boardState(client, PROD_BOARDS.items)).toEqual(afterCanary);
    db = await w.open('prod');
    expect(await rowState(db)).toEqual(rowsAfterCanary);
    const rollbackRun = await db.kysely.selectFrom('sync_runs').selectAll().where('command', '=', 'rollback').executeTakeFirstOrThrow();
    expect(rollbackRun.parent_run_id).toBe(fullRunId);
    expect(rollbackRun.status).toBe('OK');
    const rolled = await db.kysely.selectFrom('sync_events').select(['operation', 'outcome']).where('run_id', '=', rollbackRun.id).execute();
    expect(rolled.length).toBeGreaterThan(0);
    expect(new Set(rolled.map((e) => e.outcome))).toEqual(new Set(['ROLLED_BACK']));
    await expect(runRollback(db, prod, fullRunId, { envVars })).rejects.toThrow(/already rolled back/);

    // The next run redoes the work: the board is complete again, still without duplicates.
    const redo = await runJob(db, prod, { command: 'run', envVars });
    await db.close();
    expect(redo.status).toBe('OK');
    const redone = await boardState(client, PROD_BOARDS.items);
    expect(Object.keys(redone)).toHaveLength(24);
  }, 85_000);
});
