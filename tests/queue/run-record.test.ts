import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { runRollback } from '../../src/jobs/rollback.js';
import { runCutover } from '../../src/jobs/cutover.js';
import { ENGINES } from '../support/engines.js';
import { createSyncEnv, type SyncEnv } from '../support/sync-env.js';
import { generateStaging } from '../../src/sampledata/index.js';

/**
 * Every job leaves a closed run record, whatever stops it: a record left RUNNING reads as a
 * job still going (status, dashboard) and, for a rollback, as one interrupted that every
 * later run must refuse to sync past.
 */
describe.each(ENGINES.filter((e) => e !== 'pglite'))('run records on %s', (engine) => {
  let env: SyncEnv;
  beforeAll(async () => {
    env = await createSyncEnv({ engine });
    await env.load(generateStaging({ seed: 5, orders: 8, customers: 2, mess: false }).rows);
  });
  afterAll(async () => {
    await env?.close();
  });

  const running = async (command: string) => env.db.kysely.selectFrom('sync_runs').select(['id', 'command']).where('status', '=', 'RUNNING').where(sql.ref('command'), 'like', command).execute();

  it('a rollback refused for a missing token is closed FAILED, and the next run is not refused', async () => {
    const first = await env.run();
    expect(first.status).toBe('OK');
    const noToken = { ...env.envVars, MONDAY_API_TOKEN: undefined };
    await expect(runRollback(env.db, env.cfg, first.runId, { envVars: noToken as NodeJS.ProcessEnv })).rejects.toBeInstanceOf(ConfigError);
    expect(await running('rollback')).toEqual([]);
    const attempt = await env.db.kysely.selectFrom('sync_runs').select(['status', 'error']).where('command', '=', 'rollback').executeTakeFirstOrThrow();
    expect(attempt.status).toBe('FAILED');
    expect(attempt.error).toMatch(/MONDAY_API_TOKEN/);
    expect((await env.run()).status).toBe('OK');
  });

  it('a cutover resumed after its preflight was killed leaves no record RUNNING', async () => {
    // What a cutover killed during its preflight leaves: the preflight's record, RUNNING.
    const killed = await env.db.kysely
      .insertInto('sync_runs')
      .values({ env: env.cfg.envName, command: 'cutover:preflight', started_at: new Date().toISOString(), status: 'RUNNING', host: 'gone', pid: 999_999, parent_run_id: null, options_json: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const result = await runCutover(env.cfg, { baselineOnly: true, envVars: { ...process.env, ...env.envVars } as NodeJS.ProcessEnv });
    expect(result.steps.map((s) => [s.step, s.status])).toEqual([['preflight', 'done'], ['baseline', 'done']]);
    expect(await running('cutover:%')).toEqual([]);
    const closed = await env.db.kysely.selectFrom('sync_runs').select(['status', 'error']).where('id', '=', killed.id).executeTakeFirstOrThrow();
    expect(closed.status).toBe('ABORTED');
    expect(closed.error).toMatch(/killed or crashed/);
  });
});
