import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writePrivateFile } from '../private-file.js';
import type { StagingRow } from './columns.js';
import { writeCsv } from './csv.js';
import { generateStaging } from './generate.js';
import type { MessOptions } from './mess.js';
import { nextDay, type NextDayOptions, type NextDaySummary } from './next-day.js';

export interface RunGenOptions {
  /** Output folder (created when missing); default `sampledata`. */
  out?: string;
  seed: number;
  orders: number;
  customers?: number;
  mess?: boolean | Partial<MessOptions>;
  /** How many following days to write, each a {@link nextDay} of the one before (seeded seed+1, seed+2 …). */
  days?: number;
  change?: Omit<NextDayOptions, 'seed'>;
}

export interface GenFile {
  day: number;
  path: string;
  rows: number;
  bytes: number;
  /** What changed against the previous day (absent for day 0); also written beside the CSV as JSON. */
  summary?: NextDaySummary;
}

/** Writes `staging-day0.csv` and, per following day, `staging-dayN.csv` plus `staging-dayN.summary.json`. */
export async function runGen(opts: RunGenOptions): Promise<GenFile[]> {
  const out = opts.out ?? 'sampledata';
  await mkdir(out, { recursive: true });
  const data = generateStaging(opts);
  const files: GenFile[] = [];
  let rows: Iterable<StagingRow> = data.rows;
  for (let day = 0; day <= (opts.days ?? 0); day++) {
    const next = day === 0 ? undefined : nextDay(rows, { ...opts.change, seed: opts.seed + day });
    if (next) rows = next.rows;
    const path = join(out, `staging-day${day}.csv`);
    const written = await writeCsv(path, data.columns, rows);
    const file: GenFile = { day, path, ...written };
    if (next) {
      file.summary = next.summary();
      await writePrivateFile(join(out, `staging-day${day}.summary.json`), `${JSON.stringify(file.summary, null, 2)}\n`);
    }
    files.push(file);
  }
  return files;
}
