import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { openCliDatabase } from '../../src/cli/context.js';
import { loadConfig } from '../../src/config/index.js';
import { ExitCode, OrdersyncError } from '../../src/errors.js';
import { scratch } from '../config/helpers.js';

const s = scratch();
afterAll(() => s.remove());

/** A port nothing listens on: bound by us a moment ago, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function failure(url: string): Promise<OrdersyncError> {
  const file = s.write(['[database]', 'dialect = "mssql"', 'url_env = "ORDERSYNC_MSSQL_URL"']);
  const cfg = loadConfig({ path: file, envVars: { ORDERSYNC_MSSQL_URL: url } });
  process.env.ORDERSYNC_MSSQL_URL = url;
  try {
    await openCliDatabase(cfg);
  } catch (err) {
    if (err instanceof OrdersyncError) return err;
    throw err;
  } finally {
    delete process.env.ORDERSYNC_MSSQL_URL;
  }
  throw new Error('opened a SQL Server database that is not there');
}

describe('SQL Server configuration: dialect = "mssql", the URL in url_env', () => {
  it('a server that does not answer is one line naming the variable and the fix (exit 1)', async () => {
    const port = await closedPort();
    const err = await failure(`mssql://sa:Secret1!@127.0.0.1:${port}/orders?encrypt=false`);
    expect(err.exitCode).toBe(ExitCode.failed);
    expect(err.message).toBe(
      `nothing accepts connections at 127.0.0.1:${port} (the URL in ORDERSYNC_MSSQL_URL (database.url_env, environment "default")): start SQL Server, or fix the host and port`,
    );
  }, 30_000);

  it('a URL for another engine is a configuration error before any connection (exit 3)', async () => {
    const err = await failure('postgres://u:p@127.0.0.1/orders');
    expect(err.exitCode).toBe(ExitCode.config);
    expect(err.message).toMatch(/ORDERSYNC_MSSQL_URL \(database\.url_env, environment "[^"]+"\) is not a SQL Server URL: expected mssql:\/\/USER:PASSWORD@HOST:PORT\/DATABASE/);
  });
});
