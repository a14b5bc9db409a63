import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { generateStaging, writeCsv } from '../../src/sampledata/index.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'ordersync-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** 100,000 for the full-size check (ORDERSYNC_MEMORY_ORDERS=100000); the default keeps the suite quick. */
const orders = Number(process.env.ORDERSYNC_MEMORY_ORDERS ?? 30_000);
const heapMb = 48;

describe('ingest memory', () => {
  it(`streams a ${orders}-order CSV through a ${heapMb} MB heap with bounded RSS`, async () => {
    const path = join(dir, 'big.csv');
    const data = generateStaging({ seed: 5, orders, mess: { blankRowShare: 0 } });
    const written = await writeCsv(path, data.columns, data.rows);
    const fileBytes = statSync(path).size;
    expect(fileBytes).toBeGreaterThan(heapMb * 2 ** 20 * 0.5);

    const child = join(import.meta.dirname, 'support', 'ingest-child.ts');
    // Node 24's V8 sizes the young generation from the machine's memory rather than the heap cap
    // (188 MB of RSS at any file size here); capping it at Node 20's default keeps the bound about ingest.
    const heapFlags = [`--max-old-space-size=${heapMb}`, '--max-semi-space-size=16'];
    const { stdout } = await run(process.execPath, [...heapFlags, '--import', 'tsx', child, path, join(dir, 'big.db')], {
      maxBuffer: 1 << 20,
    });
    const result = JSON.parse(stdout) as { rowsLoaded: number; peakRssDelta: number };
    expect(result.rowsLoaded).toBe(written.rows);
    // Held in memory, the file alone (as UTF-16 strings) would be twice its size on disk.
    expect(result.peakRssDelta).toBeLessThan(Math.max(96 * 2 ** 20, fileBytes));
  }, 300_000);
});
