import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStaging, writeCsv } from '../../src/sampledata/index.js';
import { cliWorld, type CliWorld } from './cli-world.js';
import { collect, spawnCli, waitForLine } from '../support/cli.js';
import { webhook, type Webhook } from '../support/webhook.js';

const generated = generateStaging({ seed: 9, orders: 6, customers: 1, mess: false });
const data = { columns: generated.columns, rows: [...generated.rows] };

describe('alerts through the real CLI', () => {
  let w: CliWorld;
  let hook: Webhook;

  beforeAll(async () => {
    hook = await webhook();
    w = await cliWorld({ databaseToml: '[env.dev.alerts]\nrejected_rows = { warn = 1 }\n', env: { ORDERSYNC_ALERT_WEBHOOK: hook.url } });
    expect((await w.cli(['migrate', 'up'])).code).toBe(0);
    expect((await w.cli(['board', 'snapshot'])).code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    hook?.close();
    await w?.close();
  });

  it('rejected rows make the run degraded; the webhook names the reasons, advice and dashboard; recovery posts "resolved" once', async () => {
    const [first] = data.rows;
    await writeCsv(join(w.dir, 'day1.csv'), data.columns, [...data.rows, { ...first!, 'PO NUMBER': 'AGAIN' }]);
    expect((await w.cli(['ingest', 'day1.csv', '--replace'])).code).toBe(0);
    const degraded = await w.cli(['run']);
    expect(degraded.code, degraded.stderr).toBe(2);
    expect(degraded.stdout).toMatch(/DEGRADED/);
    // Every rejected row is named by file, row and line: in the run's summary, status and report.
    expect(degraded.stdout).toMatch(/^ {2}rejected day1\.csv row 2 \(.+\): duplicate key \(rows 2, 8\)/m);
    expect(degraded.stdout).toMatch(/^ {2}rejected day1\.csv row 8 /m);
    const status = await w.cli(['status']);
    expect(status.stdout).toMatch(/staging rows rejected by the last run \(#1\):\n {2}day1\.csv row 2 /);
    // …and on the dashboard, served by the CLI.
    const serve = spawnCli(['--config', w.file, 'serve', '--port', '0'], { cwd: w.dir, env: w.env });
    const served = collect(serve, 30_000);
    try {
      const base = /listening on (http:\S+)/.exec(await waitForLine(serve, /listening on (http:\S+)/))?.[1] as string;
      const page = await (await fetch(`${base}/`)).text();
      expect(page).toMatch(/Rejected staging row \(run #1\)[\s\S]*<td>day1\.csv row 2<\/td>/);
      expect(page).toContain('<td>day1.csv row 8</td>');
    } finally {
      serve.kill('SIGTERM');
    }
    expect((await served).code).toBe(0);
    expect(hook.received).toHaveLength(1);
    const text = hook.received[0]!.text;
    expect(text).toMatch(/WARNING after run #1 \(DEGRADED\)/);
    expect(text).toMatch(/rejected_rows: the merge rejected 2 staging row\(s\)/);
    expect(text).toMatch(/top reasons:\n• staging row rejected: duplicate key; skipped under duplicate_policy "error": 2 record\(s\) — Fix the rows in the source file/);
    expect(text).toMatch(/dashboard: http:\/\/127\.0\.0\.1:8787\//);

    // The report's Total row agrees with the run's verdict.
    const report = await w.cli(['report', '--last']);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/^\| \*\*Total\*\* \|.*\| DEGRADED \|$/m);
    expect(report.stdout).toMatch(/## Staging rows rejected by this run[\s\S]*\| day1\.csv row 8 \| /);

    await writeCsv(join(w.dir, 'day2.csv'), data.columns, data.rows);
    expect((await w.cli(['ingest', 'day2.csv', '--replace'])).code).toBe(0);
    const recovered = await w.cli(['run']);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(hook.received).toHaveLength(2);
    expect(hook.received[1]!.text).toMatch(/^ordersync dev: resolved by run #2 \(OK\)/);

    const quiet = await w.cli(['run']);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(hook.received).toHaveLength(2);
  }, 120_000);

  it('a 429 waited out with nothing left undone leaves the run OK (exit 0)', async () => {
    const rows = data.rows.map((r) => ({ ...r, 'PO NUMBER': 'CHANGED-429' }));
    await writeCsv(join(w.dir, 'day3.csv'), data.columns, rows);
    expect((await w.cli(['ingest', 'day3.csv', '--replace'])).code).toBe(0);
    w.emulator.faults.next(1, '429', { mutationsOnly: true, retryInSeconds: 1 });
    const r = await w.cli(['run', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/"http429": 1/);
    expect(hook.received).toHaveLength(2);
  }, 60_000);

  it('below alerts.min_records one failed record is degraded (exit 2), never a failed run', async () => {
    const [one] = data.rows;
    await writeCsv(join(w.dir, 'bad.csv'), data.columns, [{ ...one!, 'AAG ORDER NUMBER': 'NEW-1', 'EX FACTORY DATE': 'not a date' }]);
    expect((await w.cli(['ingest', 'bad.csv', '--replace'])).code).toBe(0);
    const r = await w.cli(['run']);
    expect(r.stdout).toMatch(/DEGRADED/);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const last = hook.received[hook.received.length - 1]!.text;
    expect(last).toMatch(/failed_records: 1 of 1 records failed \(fewer than alerts.min_records = 20: the rate is not judged\)/);
    expect(last).toMatch(/FormatError: 1 record\(s\)/);
  }, 60_000);

  it('ingest names a rejected row by file, row (the header is row 1) and physical line, which a quoted field on two lines moves apart', async () => {
    const [one, two] = data.rows;
    await writeCsv(join(w.dir, 'multiline.csv'), data.columns, [{ ...one!, 'PO NUMBER': 'PO\nON TWO LINES' }, two!]);
    const text = await readFile(join(w.dir, 'multiline.csv'), 'utf8');
    await writeFile(join(w.dir, 'multiline.csv'), `${text.trimEnd()}\nshort,row\n`);
    const r = await w.cli(['ingest', 'multiline.csv', '--replace']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toMatch(/^ {2}multiline\.csv row 4 \(line 5\): 2 fields, the header has \d+$/m);
  }, 60_000);
});
