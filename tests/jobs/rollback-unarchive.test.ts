import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStaging, type StagingRow } from '../../src/sampledata/index.js';
import { runCli } from '../support/cli.js';
import { ENGINES } from '../support/engines.js';
import { createSyncEnv, ITEMS_BOARD, type SyncEnv } from '../support/sync-env.js';

const KEY = 'AAG ORDER NUMBER';
const KEY_COL = 'text_mkr5wya6';

interface RollbackJson {
  runId: number;
  exitCode: number;
  manual: unknown[];
  recreated: Array<{ order_key: string; archived_id: string; new_id: string; reason: string }>;
  steps: Array<{ action: string; operation: string; outcome?: string; detail: string }>;
}

/**
 * The sync archives through bulk_archive_items and journals each archive's job id; rollback
 * brings archived items and subitems back with undo_action(job_id), and where monday can no
 * longer undo the job, creates the item again from the journal under the same key and says so.
 */
describe.each(ENGINES.filter((e) => e !== 'pglite'))('rollback of archives on %s', (engine) => {
  let env: SyncEnv;
  let rows: StagingRow[];

  beforeAll(async () => {
    env = await createSyncEnv({
      engine,
      patchConfig: (toml) => toml.replace('vanished_policy = "leave"', 'vanished_policy = "archive"').replace('line_delete_policy = "zero"', 'line_delete_policy = "archive"'),
    });
    rows = [...generateStaging({ seed: 7, orders: 12, customers: 2, mess: { duplicateShare: 0, cancelledShare: 0, emptyKeyShare: 0, blankRowShare: 0 } }).rows];
    await env.load(rows);
    expect((await env.run()).status).toBe('OK');
  });
  afterAll(async () => {
    await env?.close();
  });

  async function rollback(runId: number): Promise<{ code: number; json: RollbackJson }> {
    await env.closeDb();
    try {
      const r = await runCli(['--config', env.configPath, '--yes', 'rollback', '--run', String(runId), '--json'], { cwd: env.dir, env: env.envVars, timeoutMs: 60_000 });
      expect(r.stderr).not.toMatch(/Error:|at .*\.js:\d+/);
      return { code: r.code, json: JSON.parse(r.stdout) as RollbackJson };
    } finally {
      await env.reopen();
    }
  }

  const store = () => env.emulator.store;
  const orderOf = (key: string) => env.db.kysely.selectFrom('orders').selectAll().where('order_key', '=', key).executeTakeFirstOrThrow();

  /** Drops one order from staging and one size from another; the run archives the item and the subitem. */
  async function archivingRun() {
    const [gone, trimmed] = rows as [StagingRow, StagingRow];
    const trimmedOrder = await orderOf(String(trimmed[KEY]));
    const line = await env.db.kysely.selectFrom('order_lines').selectAll().where('order_id', '=', trimmedOrder.id).where('monday_subitem_id', 'is not', null).orderBy('size_position').executeTakeFirstOrThrow();
    await env.load(rows.filter((r) => r !== gone).map((r) => (r === trimmed ? { ...r, [line.size]: null } : r)));
    const run = await env.run();
    expect(run.status, run.verdict.summary).toBe('OK');
    const item = (await orderOf(String(gone[KEY]))).monday_item_id as string;
    return { run, gone: String(gone[KEY]), item, subitem: line.monday_subitem_id as string, size: line.size, trimmedKey: String(trimmed[KEY]) };
  }

  it('archives with a job per item, and rollback restores item and subitem through undo_action', async () => {
    const a = await archivingRun();
    expect(a.run.sync?.counts.items_archived).toBe(1);
    expect(store().items.get(a.item)?.state).toBe('archived');
    expect(store().items.get(a.subitem)?.state).toBe('archived');
    const events = await env.db.kysely.selectFrom('sync_events').select(['operation', 'monday_id', 'after_json']).where('run_id', '=', a.run.runId).where('operation', 'in', ['archive_item', 'archive_subitem']).execute();
    expect(events.map((e) => [e.operation, e.monday_id]).sort()).toEqual([['archive_item', a.item], ['archive_subitem', a.subitem]]);
    for (const e of events) expect(JSON.parse(e.after_json as string).job_id, 'the job id is journaled').toMatch(/^\d+$/);
    const subsBefore = store().items.get(a.item)?.subitemIds.length;

    const { code, json } = await rollback(a.run.runId);
    expect(code, JSON.stringify(json)).toBe(0);
    expect(json.manual).toEqual([]);
    expect(json.recreated).toEqual([]);
    expect(json.steps.filter((s) => s.action === 'unarchive').map((s) => s.outcome)).toEqual(['ROLLED_BACK', 'ROLLED_BACK']);
    expect(store().items.get(a.item)?.state).toBe('active');
    expect(store().items.get(a.subitem)?.state).toBe('active');
    const subs = store().items.get(a.item)?.subitemIds.map((id) => store().items.get(id)) ?? [];
    expect(subs.filter((x) => x?.state === 'active')).toHaveLength(subsBefore ?? -1);
    // The rows are as before the run: the next run redoes the archive unless staging changes.
    expect(await orderOf(a.gone)).toMatchObject({ action: 'ARCHIVE', sync_state: 'PENDING', monday_item_id: a.item });
    const line = await env.db.kysely.selectFrom('order_lines').selectAll().where('order_id', '=', (await orderOf(a.trimmedKey)).id).where('size', '=', a.size).executeTakeFirstOrThrow();
    expect(line).toMatchObject({ action: 'DELETE', sync_state: 'PENDING', monday_subitem_id: a.subitem });

    const redo = await env.run();
    expect(redo.status, redo.verdict.summary).toBe('OK');
    expect(store().items.get(a.item)?.state).toBe('archived');
    expect(store().items.get(a.subitem)?.state).toBe('archived');
  });

  it('recreates an archived item from the journal under the same key when undo is no longer possible, and says so', async () => {
    const redo = await env.db.kysely.selectFrom('sync_runs').select('id').where('command', '=', 'run').orderBy('id', 'desc').executeTakeFirstOrThrow();
    const gone = String(rows[0]?.[KEY]);
    const archived = (await orderOf(gone)).monday_item_id as string;
    const synced = JSON.parse((await orderOf(gone)).synced_fields_json as string) as { name: string };
    const linesOf = async () => env.db.kysely.selectFrom('order_lines').select(['size', 'sync_state', 'monday_subitem_id']).where('order_id', '=', (await orderOf(gone)).id).orderBy('size').execute();
    const before = await linesOf();
    const lineCount = before.length;
    // Past monday's undo window.
    env.emulator.advanceTime(2 * 24 * 60 * 60_000);

    const { code, json } = await rollback(redo.id);
    expect(code, JSON.stringify(json)).toBe(0);
    expect(json.recreated.map((r) => r.order_key).sort()).toEqual([gone, ...(json.recreated.length > 1 ? [json.recreated.find((r) => r.order_key !== gone)?.order_key] : [])].sort());
    const made = json.recreated.find((r) => r.order_key === gone);
    expect(made?.reason).toMatch(/can no longer be undone/);
    expect(made?.archived_id).toBe(archived);
    const item = store().items.get(made?.new_id as string);
    expect(item?.state).toBe('active');
    expect(item?.boardId).toBe(ITEMS_BOARD);
    expect(item?.name).toBe(synced.name);
    expect(String(item?.values.get(KEY_COL)?.data)).toContain(gone);
    expect(item?.subitemIds.length).toBe(lineCount);
    expect(await orderOf(gone)).toMatchObject({ action: 'ARCHIVE', sync_state: 'PENDING', monday_item_id: made?.new_id });
    // Its lines keep their state and point at the recreated subitems.
    const after = await linesOf();
    expect(after.map((l) => [l.size, l.sync_state])).toEqual(before.map((l) => [l.size, l.sync_state]));
    expect(after.map((l) => l.monday_subitem_id).sort()).toEqual([...(item?.subitemIds ?? [])].sort());
    const record = await env.db.kysely.selectFrom('sync_runs').select(['verdict', 'counts_json']).where('id', '=', json.runId).executeTakeFirstOrThrow();
    expect(record.verdict).toMatch(/recreated \(undo no longer possible\)/);
    expect(store().items.get(archived)?.state, 'the archived item stays archived').toBe('archived');
  });
});
