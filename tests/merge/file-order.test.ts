import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStaging, writeCsv } from '../../src/sampledata/index.js';
import { cliWorld, freshPgDatabase, pgAdmin, type CliWorld } from '../ops/cli-world.js';

/**
 * A file whose first order appears twice (rows 2 and 5), merged under duplicate_policy "first".
 * On PostgreSQL the first row is then updated in place, which moves its tuple (ctid) behind the
 * others: physical order is no longer file order, and only file order keeps the same row.
 */
describe.each(['sqlite', 'postgres'] as const)('staging is read in file order on %s', (engine) => {
  let w: CliWorld;
  let pgDb: Awaited<ReturnType<typeof freshPgDatabase>> | undefined;

  beforeAll(async () => {
    pgDb = engine === 'postgres' ? await freshPgDatabase() : undefined;
    const database = pgDb ? '[env.dev.database]\ndialect = "postgres"\nurl_env = "PG_URL"\n' : '';
    w = await cliWorld({ databaseToml: `${database}[env.dev.staging]\nduplicate_policy = "first"\n`, env: pgDb ? { PG_URL: pgDb.url } : {} });
    const data = generateStaging({ seed: 3, orders: 3, customers: 1, mess: false });
    const [first, ...rest] = data.rows;
    if (!first) throw new Error('no rows generated');
    const rows = [{ ...first, 'PO NUMBER': 'PO-FIRST' }, ...rest, { ...first, 'PO NUMBER': 'PO-SECOND' }];
    await writeCsv(join(w.dir, 'orders.csv'), data.columns, rows);
    expect((await w.cli(['migrate', 'up'])).code).toBe(0);
    const ingest = await w.cli(['ingest', 'orders.csv']);
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(ingest.stdout).toContain(`next: ordersync --config ${w.file} plan`);
    if (pgDb) await pgAdmin(`update staging_order_list set "PO NUMBER" = 'PO-FIRST' where "PO NUMBER" = 'PO-FIRST'`, pgDb.url);
  }, 120_000);
  afterAll(async () => {
    await w?.close();
    await pgDb?.drop();
  });

  it('"first" keeps the row that is first in the file, and the rejected one is named by file, row and line', async () => {
    const human = await w.cli(['merge', '--dry-run']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^ {2}orders\.csv row 5 \(.+\): duplicate key \(rows 2, 5\); row 2 kept/m);
    const plan = await w.cli(['plan', '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('PO-FIRST');
    expect(plan.stdout).not.toContain('PO-SECOND');

    const r = await w.cli(['merge', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout) as { rejections: unknown[] };
    expect(m.rejections).toEqual([
      expect.objectContaining({
        source: { file: 'orders.csv', row: 5, line: 5 },
        reason: 'duplicate key (rows 2, 5); row 2 kept under duplicate_policy "first"',
      }),
    ]);

    // run --json names the rejected row the same way.
    const run = await w.cli(['run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { merge: { rejections: unknown[] } }).merge.rejections).toEqual([expect.objectContaining({ source: { file: 'orders.csv', row: 5, line: 5 } })]);
  }, 60_000);
});
