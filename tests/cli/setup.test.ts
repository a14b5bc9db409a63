import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerMasterScheduleSeed, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { ExitCode } from '../../src/errors.js';
import { runGen } from '../../src/sampledata/index.js';
import { runCli } from '../support/cli.js';

/**
 * A first setup through the CLI, as a new user does it: real child processes against the
 * emulator over HTTP, with the endpoint and token in environment variables only.
 */
let emulator: RunningEmulator;
const root = mkdtempSync(join(tmpdir(), 'ordersync-setup-'));
const folder = (name: string) => {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  return dir;
};

beforeAll(async () => {
  emulator = await startEmulator({ seed: customerMasterScheduleSeed(), timeScale: 60 });
});
afterAll(async () => {
  await emulator?.close();
  rmSync(root, { recursive: true, force: true });
});

const env = () => ({ MONDAY_API_URL: emulator.url, MONDAY_API_TOKEN: emulator.token });
const cli = (cwd: string, args: string[], extra: Record<string, string | undefined> = {}) =>
  runCli(args, { cwd, env: { ...env(), ...extra }, timeoutMs: 60_000 });
const activeItems = (boardId: string) => [...emulator.store.items.values()].filter((i) => i.boardId === boardId && i.state === 'active').length;

describe('ordersync init --from-board', () => {
  it('writes a config from the shipped boards that validates online and whose run syncs the demo data unedited', async () => {
    const dir = folder('from-board');
    const init = await runCli(['init', '--from-board', '9000000001'], { cwd: root, env: { ...env(), ORDERSYNC_CONFIG: join(dir, 'ordersync.toml') }, timeoutMs: 60_000 });
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('subitems board 9000000002: size dropdown_mkrak7qp "Size", quantity numeric_mkra7j8e "Order Qty"');

    const toml = readFileSync(join(dir, 'ordersync.toml'), 'utf8');
    // Paired by title; the endpoint is read from the variable, never written into the file.
    expect(toml).toMatch(/^"AAG ORDER NUMBER"\s+= "text_mkr5wya6"/m);
    expect(toml).toMatch(/^"ORDER DATE PO RECEIVED"\s+= "date_mkr5zp5"/m);
    expect(toml).toMatch(/^size_column_id = "dropdown_mkrak7qp"/m);
    expect(toml).toMatch(/^qty_column_id = "numeric_mkra7j8e"/m);
    expect(toml).toMatch(/^api_url_env = "MONDAY_API_URL"/m);
    expect(toml).not.toContain(emulator.url);
    expect(toml).toMatch(/^status_column_id = "color_mkr5j5pp"/m);
    // Unpaired board columns are listed, commented: writable ones ready to map, computed ones as notes.
    expect(toml).toMatch(/^# "CUSTOMER" = "dropdown_mkr542p2" {2}# dropdown: no staging column of this title$/m);
    expect(toml).toMatch(/^# "DESIGN FEE" = "numeric_mkr5h612" {2}# numbers: "DESIGN FEE" is a text column upstream; a numbers column takes numbers only$/m);
    expect(toml).toMatch(/^# {3}not mappable: lookup_mkrbrdr1 "QTY ORDERED" \(mirror\): computed by monday, cannot be written$/m);
    expect(toml).not.toMatch(/^"[^"]+"\s+= "lookup_/m);
    for (const role of ['items', 'subitems']) {
      const snap = JSON.parse(readFileSync(join(dir, 'boards', `dev.${role}.json`), 'utf8')) as { board_id: string };
      expect(snap.board_id).toBe(role === 'items' ? '9000000001' : '9000000002');
    }

    // Clean data: the messy kind fails some rows by design (duplicate keys, over-long notes), whatever the config.
    await runGen({ out: join(dir, 'data'), seed: 11, orders: 25, mess: false });
    expect((await cli(dir, ['migrate', 'up'])).code).toBe(0);
    const ingest = await cli(dir, ['ingest', 'data/staging-day0.csv']);
    expect(ingest.code, ingest.stdout + ingest.stderr).toBe(0);
    const offline = await cli(dir, ['config', 'validate']);
    expect(offline.code, offline.stdout).toBe(0);
    const online = await cli(dir, ['config', 'validate', '--online', '--json']);
    expect(online.code, online.stdout).toBe(0);
    expect((JSON.parse(online.stdout) as { findings: Array<{ level: string }> }).findings.filter((f) => f.level === 'error')).toEqual([]);

    const before = activeItems('9000000001');
    const run = await cli(dir, ['run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { status: string; merge: { counts: { new: number } }; sync: { counts: { items_created: number; subitems_created: number } } };
    expect(result.status).toBe('OK');
    expect(result.sync.counts.items_created).toBe(result.merge.counts.new);
    expect(result.sync.counts.subitems_created).toBeGreaterThan(result.merge.counts.new);
    expect(activeItems('9000000001') - before).toBe(result.merge.counts.new);
  }, 180_000);

  it('pairs titles without regard to case or spaces, from the header of --staging; sizes are never item columns', async () => {
    const dir = folder('staging-file');
    const file = join(root, 'header.csv');
    writeFileSync(file, 'aag order number,Customer,PONUMBER,UNIT OF MEASURE,S,M,TOTAL QTY,Style\n');
    const r = await cli(root, ['--config', join(dir, 'ordersync.toml'), '--env', 'rehearsal', 'init', '--from-board', '9000000001', '--staging', file]);
    expect(r.code, r.stderr).toBe(0);
    const toml = readFileSync(join(dir, 'ordersync.toml'), 'utf8');
    const mapped = [...toml.matchAll(/^("[^"]+")\s+= "([^"]+)"/gm)].map((m) => [JSON.parse(m[1] ?? '""') as string, m[2]]);
    expect(Object.fromEntries(mapped)).toEqual({
      'aag order number': 'text_mkr5wya6',
      Customer: 'dropdown_mkr542p2',
      PONUMBER: 'text_mkr5ej2x',
      'UNIT OF MEASURE': 'color_mkr5yf27',
      Style: 'text_mktdechp',
    });
    expect(toml).toContain('default_env = "rehearsal"');
    expect(toml).toContain('[env.rehearsal.monday]');
    // The next steps name the file and environment this init wrote, one command a line.
    expect(r.stdout).toContain(`next:\n  ordersync --config ${join(dir, 'ordersync.toml')} --env rehearsal migrate up\n`);
    expect(toml).toContain(`Staging columns came from\n# the header row of ${file}.`);
    expect(existsSync(join(dir, 'boards', 'rehearsal.items.json'))).toBe(true);
  }, 60_000);

  it('without the token: exit 3 naming the variable, nothing written', async () => {
    const dir = folder('no-token');
    const r = await cli(root, ['--config', join(dir, 'ordersync.toml'), 'init', '--from-board', '9000000001'], { MONDAY_API_TOKEN: undefined });
    expect(r.code).toBe(ExitCode.config);
    expect(r.stderr).toContain('MONDAY_API_TOKEN is not set');
    expect(existsSync(join(dir, 'ordersync.toml'))).toBe(false);
  });

  it('a --qty-column that is not a numbers column is refused with the reason, nothing written', async () => {
    const dir = folder('bad-qty');
    const r = await cli(root, ['--config', join(dir, 'ordersync.toml'), 'init', '--from-board', '9000000001', '--qty-column', 'dropdown_mkrak7qp']);
    expect(r.code).toBe(ExitCode.config);
    expect(r.stderr).toContain('--qty-column dropdown_mkrak7qp: "Size" is a dropdown column, which cannot hold the quantity');
    expect(existsSync(join(dir, 'ordersync.toml'))).toBe(false);
    expect(existsSync(join(dir, 'boards'))).toBe(false);
  });
});

describe('ordersync board columns', () => {
  it('prints id, type, title and labels of both boards, and the config key using each column', async () => {
    const dir = folder('columns');
    expect((await cli(root, ['--config', join(dir, 'ordersync.toml'), 'init', '--from-board', '9000000001'])).code).toBe(0);
    const r = await cli(dir, ['board', 'columns', '--env', 'dev']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('items board 9000000001 "Customer Master Schedule": 85 columns');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}dropdown_mkr518fc\s+dropdown\s+ORDER TYPE\s+RECEIVED, FORECAST, CANCELLED {2}← mapping\.columns\."ORDER TYPE"$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}lookup_mkrbrdr1\s+mirror\s+QTY ORDERED$/));
    expect(lines).toContain('subitems board 9000000002 "Subitems of Customer Master Schedule": 11 columns');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}dropdown_mkrak7qp\s+dropdown\s+Size\s+XS, S, M, L, XL.* {2}← mapping\.size_column_id$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}numeric_mkra7j8e\s+numbers\s+Order Qty\s+← mapping\.qty_column_id$/));

    const json = await cli(dir, ['board', 'columns', '--json']);
    const parsed = JSON.parse(json.stdout) as { subitems: { columns: Array<{ id: string; config_keys: string[] }> } };
    expect(parsed.subitems.columns.find((c) => c.id === 'numeric_mkra7j8e')?.config_keys).toEqual(['mapping.qty_column_id']);
  }, 60_000);
});

describe('no setting defaults to a board-specific id', () => {
  it('without mapping.size_column_id / qty_column_id: validate names both (no snapshot needed) and run stops before any request', async () => {
    const dir = folder('no-subitem-columns');
    expect((await cli(root, ['--config', join(dir, 'ordersync.toml'), 'init', '--from-board', '9000000001'])).code).toBe(0);
    const file = join(dir, 'ordersync.toml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^(size|qty)_column_id = .*$/gm, ''));
    rmSync(join(dir, 'boards'), { recursive: true });

    const validate = await cli(dir, ['config', 'validate']);
    expect(validate.code).toBe(ExitCode.config);
    expect(validate.stdout).toMatch(/^error: .* \[env\.dev\] mapping\.size_column_id: not set: name the subitems board column holding the size/m);
    expect(validate.stdout).toMatch(/^error: .* \[env\.dev\] mapping\.qty_column_id: not set: name the subitems board column holding the quantity/m);

    expect((await cli(dir, ['migrate', 'up'])).code).toBe(0);
    const requests = emulator.stats().requests;
    const run = await cli(dir, ['run']);
    expect(run.code).toBe(ExitCode.config);
    expect(run.stderr).toContain('mapping.size_column_id (the subitems board column holding the size) and mapping.qty_column_id (the subitems board column holding the quantity) not set for environment "dev"');
    expect(emulator.stats().requests).toBe(requests);
  }, 60_000);
});

describe('did you mean', () => {
  it('an unknown key or environment name suggests the closest known one', async () => {
    const dir = folder('typos');
    expect((await cli(root, ['--config', join(dir, 'ordersync.toml'), 'init'])).code).toBe(0);
    const file = join(dir, 'ordersync.toml');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace('key_columns = ', 'key_colums = '));
    const key = await cli(dir, ['config', 'validate']);
    expect(key.code).toBe(ExitCode.config);
    expect(key.stderr).toMatch(/ordersync\.toml:\d+: staging\.key_colums: unknown key; did you mean key_columns\?/);

    writeFileSync(file, good);
    const envName = await cli(dir, ['--env', 'dve', 'config', 'show']);
    expect(envName.code).toBe(ExitCode.config);
    expect(envName.stderr).toContain('unknown environment "dve" (from --env); defined: dev; did you mean dev?');
    const far = await cli(dir, ['--env', 'production', 'config', 'show']);
    expect(far.stderr).not.toContain('did you mean');
  }, 60_000);
});

describe('monday.api_url_env', () => {
  it('reads the endpoint from the named variable; unset, the command stops naming it', async () => {
    const dir = folder('api-url-env');
    expect((await cli(root, ['--config', join(dir, 'ordersync.toml'), 'init'])).code).toBe(0);
    const file = join(dir, 'ordersync.toml');
    // The file's api_url points nowhere: only the variable can make the snapshot work.
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^api_url = .*$/m, 'api_url = "http://127.0.0.1:9/v2"\napi_url_env = "REHEARSAL_API_URL"'));
    const ok = await cli(dir, ['board', 'snapshot'], { REHEARSAL_API_URL: emulator.url });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('board 9000000001 "Customer Master Schedule"');

    const unset = await cli(dir, ['board', 'snapshot']);
    expect(unset.code).toBe(ExitCode.config);
    expect(unset.stderr).toContain('environment variable REHEARSAL_API_URL is not set (monday.api_url_env');
    const notUrl = await cli(dir, ['board', 'snapshot'], { REHEARSAL_API_URL: 'emulator' });
    expect(notUrl.code).toBe(ExitCode.config);
    expect(notUrl.stderr).toContain('REHEARSAL_API_URL (monday.api_url_env');
    expect(notUrl.stderr).toContain('does not hold an http(s) URL');
  }, 60_000);
});
