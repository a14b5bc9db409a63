import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateStaging, writeCsv } from '../../src/sampledata/index.js';
import { runCli } from '../support/cli.js';
import { createRelEnv } from '../reliability/support/env.js';
import { recordFigures } from '../reliability/support/figures.js';

/** A 100 MB CSV streams through `ordersync ingest` under a 160 MB heap cap. */
describe('ingest (soak)', () => {
  it('100 MB CSV: bounded memory, reasonable time', async () => {
    const env = await createRelEnv();
    try {
      const file = join(env.dir, 'huge.csv');
      await writeCsv(file, generateStaging({ seed: 100, orders: 100_000 }).columns, generateStaging({ seed: 100, orders: 100_000 }).rows);
      const size = statSync(file).size;
      expect(size).toBeGreaterThan(90_000_000);
      await env.closeDb();
      const started = Date.now();
      const r = await runCli(['--config', env.configPath, 'ingest', file, '--json'], { cwd: env.dir, env: { ...env.envVars, NODE_OPTIONS: '--max-old-space-size=160' }, timeoutMs: 20 * 60_000 });
      const ms = Date.now() - started;
      expect([0, 2], r.stderr).toContain(r.code);
      recordFigures('ingest', '100 MB CSV', { mb: +(size / 1e6).toFixed(1), ms, mbPerSecond: +(size / 1e6 / (ms / 1000)).toFixed(1) });
    } finally {
      await env.close();
    }
  });
});
