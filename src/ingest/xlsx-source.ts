import { ConfigError } from '../errors.js';
import type { FileRecord } from './file-record.js';

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

/**
 * Streams the first worksheet's rows (exceljs' streaming reader: rows are parsed as they are pulled).
 * Styles are cached because exceljs tells dates from numbers by their number format.
 */
export async function* xlsxRecords(path: string): AsyncGenerator<FileRecord> {
  // exceljs costs most of a second to load; only an .xlsx ingest needs it.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  try {
    for await (const sheet of workbook) {
      for await (const row of sheet) {
        const cells = Array.isArray(row.values) ? row.values : [];
        const values: string[] = [];
        for (let i = 1; i < cells.length; i++) values.push(cellText(cells[i]));
        yield { row: row.number, line: row.number, values };
      }
      return;
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new ConfigError(`${path}: not a readable .xlsx workbook: ${message}`, { cause: err });
  }
}
