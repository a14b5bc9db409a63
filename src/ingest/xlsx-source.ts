import { DEFAULT_MAX_XLSX_UNCOMPRESSED_MB } from '../config/index.js';
import { ConfigError } from '../errors.js';
import type { FileRecord } from './file-record.js';
import { checkInflated, InflateLimitError, NotAZipError, zipEntries, zipEntryText, type ZipEntry } from './zip-directory.js';

/** A cell as text: dates as `YYYY-MM-DD` (with the time when it has one), formulas by their result. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (typeof value !== 'object') return String(value);
  const cell = value as { richText?: Array<{ text: string }>; result?: unknown; text?: unknown; error?: string };
  if (cell.richText) return cell.richText.map((r) => r.text).join('');
  if ('result' in cell) return cellText(cell.result);
  if (cell.error !== undefined) return cell.error;
  if (cell.text !== undefined) return cellText(cell.text);
  return JSON.stringify(value);
}

const MB = 1024 * 1024;
const MAX_LISTED_MERGES = 20;

export interface XlsxOptions {
  /** The sheet to read, by its tab name; default: the first visible sheet in tab order. */
  sheet?: string;
  /** Refused before parsing when its entries declare more than this, uncompressed. */
  maxUncompressedMb?: number;
  /** Told the chosen sheet's name before the first record. */
  onSheet?: (name: string) => void;
  /** Things loaded as they are but worth a look (merged cells). */
  warn?: (message: string) => void;
}

interface SheetInfo {
  name: string;
  state?: string;
}

const visible = (s: SheetInfo) => s.state === undefined || s.state === 'visible';
const describeSheet = (s: SheetInfo) => `${JSON.stringify(s.name)}${visible(s) ? '' : ` (${s.state})`}`;

/**
 * A workbook's uncompressed size: an .xlsx is inflated as it is parsed, so a small file can
 * hold gigabytes (a zip bomb aborted the process at 4.4 GB). What the zip directory declares
 * refuses a large one without inflating anything; then what really inflates is counted, because
 * a directory can understate it.
 */
async function checkedEntries(path: string, limitMb: number): Promise<ZipEntry[]> {
  let entries: ZipEntry[];
  try {
    entries = await zipEntries(path);
  } catch (err) {
    if (err instanceof NotAZipError) throw new ConfigError(`${path}: not a readable .xlsx workbook: ${err.message}`, { cause: err });
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ConfigError(`${path}: no such file`, { cause: err });
    throw err;
  }
  const total = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
  if (total > limitMb * MB) {
    const largest = entries.reduce((a, b) => (b.uncompressedSize > a.uncompressedSize ? b : a));
    throw new ConfigError(
      `${path}: declares ${(total / MB).toFixed(1)} MB uncompressed (${largest.name} ${(largest.uncompressedSize / MB).toFixed(1)} MB), ` +
        `over the ${limitMb} MB limit (ingest.max_xlsx_uncompressed_mb); not parsed. Save it as CSV, or raise the limit if the file is trusted.`,
    );
  }
  try {
    await checkInflated(path, entries, limitMb * MB);
  } catch (err) {
    if (err instanceof InflateLimitError) {
      throw new ConfigError(
        `${path}: ${err.entry} inflates past the ${limitMb} MB limit (ingest.max_xlsx_uncompressed_mb) for the whole workbook, ` +
          `though its zip directory declares ${(total / MB).toFixed(1)} MB; not parsed.`,
        { cause: err },
      );
    }
    throw new ConfigError(`${path}: not a readable .xlsx workbook: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return entries;
}

/**
 * Streams one worksheet's rows (exceljs' streaming reader: rows are parsed as they are pulled):
 * `opts.sheet`, or the first visible sheet in tab order (a hidden sheet is often last week's
 * data). Styles are cached because exceljs tells dates from numbers by their number format.
 * Merged cells are reported through `opts.warn` once the rows are read (they are listed after
 * the sheet's data).
 */
export async function* xlsxRecords(path: string, opts: XlsxOptions = {}): AsyncGenerator<FileRecord> {
  const entries = await checkedEntries(path, opts.maxUncompressedMb ?? DEFAULT_MAX_XLSX_UNCOMPRESSED_MB);
  // exceljs costs most of a second to load; only an .xlsx ingest needs it.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'emit',
  });
  // exceljs names the zip part of each worksheet only in its 'entry' event, just before the sheet.
  let part: string | undefined;
  (workbook as unknown as NodeJS.EventEmitter).on('entry', (e: { type?: string; id?: string }) => {
    if (e.type === 'worksheet') part = `xl/worksheets/sheet${e.id}.xml`;
  });
  const tabs = (): SheetInfo[] => (workbook as unknown as { model?: { sheets?: SheetInfo[] } }).model?.sheets ?? [];
  try {
    for await (const sheet of workbook) {
      const info = tabs();
      if (opts.sheet !== undefined && info.length > 0 && !info.some((s) => s.name === opts.sheet)) {
        throw new ConfigError(`${path}: no sheet named ${JSON.stringify(opts.sheet)} (sheets: ${info.map(describeSheet).join(', ')})`);
      }
      const target = opts.sheet ?? info.find(visible)?.name;
      if (info.length > 0 && target === undefined) throw new ConfigError(`${path}: every sheet is hidden (${info.map(describeSheet).join(', ')}); pass --sheet NAME`);
      const name = (sheet as unknown as { name?: string }).name ?? target ?? 'Sheet1';
      if (target !== undefined && name !== target) continue;
      const sheetPart = part;
      opts.onSheet?.(name);
      let header: { row: number; values: string[] } | undefined;
      for await (const row of sheet) {
        const cells = Array.isArray(row.values) ? row.values : [];
        const values: string[] = [];
        for (let i = 1; i < cells.length; i++) values.push(cellText(cells[i]));
        header ??= { row: row.number, values };
        yield { row: row.number, line: row.number, values };
      }
      const entry = entries.find((e) => e.name === sheetPart);
      if (entry && header && opts.warn) {
        for (const message of await mergeWarnings(path, entry, name, header)) opts.warn(message);
      }
      return;
    }
    throw new ConfigError(opts.sheet !== undefined ? `${path}: no sheet named ${JSON.stringify(opts.sheet)}` : `${path}: no worksheet in the workbook`);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new ConfigError(`${path}: not a readable .xlsx workbook: ${message}`, { cause: err });
  }
}

interface CellRange {
  ref: string;
  col1: number;
  row1: number;
  col2: number;
  row2: number;
}

function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

function parseRange(ref: string): CellRange | undefined {
  const m = /^([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?$/.exec(ref);
  if (!m) return undefined;
  const [c1, r1] = [columnNumber(m[1]!), Number(m[2])];
  const [c2, r2] = m[3] ? [columnNumber(m[3]), Number(m[4])] : [c1, r1];
  return { ref, col1: Math.min(c1, c2), row1: Math.min(r1, r2), col2: Math.max(c1, c2), row2: Math.max(r1, r2) };
}

/** The sheet's merged ranges, from its `<mergeCell ref="…"/>` elements (after the data). */
async function mergedRanges(path: string, entry: ZipEntry): Promise<CellRange[]> {
  const pattern = /<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z0-9:]+)"/g;
  const out: CellRange[] = [];
  let carry = '';
  for await (const chunk of zipEntryText(path, entry)) {
    const text = carry + chunk;
    let lastEnd = 0;
    for (const m of text.matchAll(pattern)) {
      const range = parseRange(m[1]!);
      if (range) out.push(range);
      lastEnd = m.index + m[0].length;
    }
    // A tag may straddle two chunks: keep the unmatched tail.
    carry = text.slice(Math.max(lastEnd, text.length - 256));
  }
  return out;
}

async function mergeWarnings(path: string, entry: ZipEntry, sheet: string, header: { row: number; values: string[] }): Promise<string[]> {
  const ranges = (await mergedRanges(path, entry)).filter((r) => r.row2 > header.row && r.ref.includes(':'));
  const column = (n: number) => JSON.stringify(header.values[n - 1] ?? `column ${n}`);
  const messages = ranges.slice(0, MAX_LISTED_MERGES).map((r) => {
    const first = r.ref.split(':')[0];
    const columns = r.col1 === r.col2 ? `column ${column(r.col1)}` : `columns ${column(r.col1)} to ${column(r.col2)}`;
    const rest =
      r.col1 === r.col2
        ? `${r.row2 - r.row1 > 1 ? `rows ${r.row1 + 1}–${r.row2}` : `row ${r.row2}`} load it empty`
        : `the other ${(r.col2 - r.col1 + 1) * (r.row2 - r.row1 + 1) - 1} cells load empty`;
    return `${path}: sheet ${JSON.stringify(sheet)}: merged cells ${r.ref} (${columns}): only ${first} holds the value; ${rest}`;
  });
  if (ranges.length > MAX_LISTED_MERGES) messages.push(`${path}: sheet ${JSON.stringify(sheet)}: ${ranges.length - MAX_LISTED_MERGES} more merged ranges`);
  return messages;
}
