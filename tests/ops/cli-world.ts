import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { starterConfig } from '../../src/config/index.js';
import { customerMasterScheduleSeed, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli, type CliResult } from '../support/cli.js';
import { PG_ADMIN_URL } from '../support/engines.js';

/** Table names a pg_dump pattern or an unquoted identifier would get wrong. */
export const AWKWARD_TABLES = String.raw`
[database.tables]
orders = "Orders"
order_lines = "order lines"
sync_events = 'ev\x'
`;

export interface CliWorld {
  dir: string;
  file: string;
  emulator: RunningEmulator;
  env: Record<string, string | undefined>;
  /** `ordersync --config <file> <args>` in the world's folder, as a child process. */
  cli(args: string[], env?: Record<string, string | undefined>): Promise<CliResult>;
  /** migrate up, gen + ingest `orders` sample orders, board snapshot, run: an environment with history. */
  prepare(orders?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A folder with a starter config on the in-process emulator (60× time), driven only through the
 * built CLI. `databaseToml` replaces the dev environment's database section; a low
 * `complexityPerMinute` makes the run wait for its budget.
 */
export async function cliWorld(opts: { databaseToml?: string; env?: Record<string, string | undefined>; complexityPerMinute?: number } = {}): Promise<CliWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'ordersync-cliw-'));
  const emulator = await startEmulator({ timeScale: 60, seed: customerMasterScheduleSeed() });
  const file = join(dir, 'ordersync.toml');
  writeFileSync(file, `${starterConfig({ apiUrl: emulator.url, complexityPerMinute: opts.complexityPerMinute ?? 600_000_000 })}\n${opts.databaseToml ?? ''}`, { mode: 0o600 });
  const env = { MONDAY_API_TOKEN: emulator.token, ORDERSYNC_ALERT_WEBHOOK: undefined, ...opts.env };
  const cli = (args: string[], extra: Record<string, string | undefined> = {}) =>
    runCli(['--config', file, ...args], { cwd: dir, env: { ...env, ...extra }, timeoutMs: 60_000 });
  const must = async (args: string[]): Promise<void> => {
    const r = await cli(args);
    if (r.code !== 0) throw new Error(`ordersync ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  };
  return {
    dir,
    file,
    emulator,
    env,
    cli,
    async prepare(orders = 20) {
      await must(['migrate', 'up']);
      await must(['gen', '--orders', String(orders), '--clean', '--out', 'data']);
      await must(['ingest', 'data/staging-day0.csv', '--replace']);
      await must(['board', 'snapshot']);
      await must(['run']);
    },
    async close() {
      await emulator.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh database on the test server; `url` connects as the admin role. */
export async function freshPgDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `ordersync_t_${randomBytes(6).toString('hex')}`;
  await pgAdmin(`create database ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: async () => void (await pgAdmin(`drop database if exists ${name} with (force)`)) };
}

export async function pgAdmin(text: string, url = PG_ADMIN_URL): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/** Every table in the public schema with its row count. */
export async function pgRowCounts(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ tablename: string }>("select tablename from pg_tables where schemaname = 'public' order by tablename");
    const out: Record<string, number> = {};
    for (const { tablename } of rows) {
      const r = await client.query<{ n: string }>(`select count(*) as n from ${client.escapeIdentifier(tablename)}`);
      out[tablename] = Number(r.rows[0]?.n);
    }
    return out;
  } finally {
    await client.end();
  }
}
