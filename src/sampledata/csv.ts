import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { writePrivately } from '../private-file.js';
import type { StagingColumn, StagingRow } from './columns.js';

/**
 * RFC 4180: a field is quoted when it holds a comma, a quote, CR or LF (quotes doubled).
 * An empty string is quoted too, so it stays distinct from a missing value (an empty field).
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : String(value);
  return text === '' || /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

const chunkBytes = 1 << 16;

/** Streams the rows to `path` (header first, CRLF line ends), waiting for the disk when it lags. */
export async function writeCsv(
  path: string,
  columns: readonly StagingColumn[],
  rows: Iterable<StagingRow> | AsyncIterable<StagingRow>,
): Promise<{ rows: number; bytes: number }> {
  return writePrivately(path, (temp) => streamCsv(temp, columns, rows));
}

async function streamCsv(
  path: string,
  columns: readonly StagingColumn[],
  rows: Iterable<StagingRow> | AsyncIterable<StagingRow>,
): Promise<{ rows: number; bytes: number }> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  const failed = once(out, 'error').then(([err]) => {
    throw err;
  });
  failed.catch(() => undefined);
  const names = columns.map((c) => c.name);
  let pending = csvLine(names);
  let count = 0;
  const flush = async (): Promise<void> => {
    if (!out.write(pending)) await Promise.race([once(out, 'drain'), failed]);
    pending = '';
  };
  for await (const row of rows) {
    pending += csvLine(names.map((n) => row[n]));
    count++;
    if (pending.length >= chunkBytes) await flush();
  }
  await flush();
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
  return { rows: count, bytes: out.bytesWritten };
}
