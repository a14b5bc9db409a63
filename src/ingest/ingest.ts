import { basename, extname } from 'node:path';
import type { Kysely } from 'kysely';
import { ConfigError, ExitCode, OrdersyncError } from '../errors.js';
import { csvRecords } from './csv-source.js';
import type { FileRecord } from './file-record.js';
import { headerNames } from './header.js';
import { maxListedRejections, type IngestReport, type Rejection } from './report.js';
import { isSourceColumn, sourceColumnNames } from './source-columns.js';
import { addSourceColumns, createStagingTable, existingColumns, lastSourceSeq, RowInserter, rowsPerBatch, type DialectName } from './staging-table.js';
import { dialectAdapter } from '../db/index.js';
import { xlsxRecords } from './xlsx-source.js';

export interface IngestOptions {
  path: string;
  table: string;
  dialect: DialectName;
  /** Delete the table's rows first, in the load's transaction. Default: append. */
  replace?: boolean;
  /** Rows per INSERT, shrunk to the dialect's bound-parameter limit. */
  batchSize?: number;
  /** Load even when table columns are missing from the file (they stay NULL); they are reported. */
  allowMissingColumns?: boolean;
  /** Business key column(s) the header must hold (staging.key_columns): a sheet without them is not the order list. */
  keyColumns?: readonly string[];
  /** .xlsx: the sheet to load; default the first visible one. */
  sheet?: string;
  /** .xlsx: refused before parsing when it declares more than this uncompressed (ingest.max_xlsx_uncompressed_mb). */
  maxXlsxUncompressedMb?: number;
}

function checkHeader(path: string, sheet: string | undefined, headerRow: number, columns: string[], opts: IngestOptions): void {
  const { engine, columnLimit: max } = dialectAdapter(opts.dialect);
  // Each row's source (file, row, line, order) takes columns of its own beside the file's.
  const room = max - sourceColumnNames.length;
  if (columns.length > room) {
    throw new ConfigError(
      `${path}: ${columns.length} columns; a ${engine} table holds at most ${max}, and each file column becomes a staging column next to ordersync's ${sourceColumnNames.length} source columns, so a file may have at most ${room}`,
    );
  }
  const missing = (opts.keyColumns ?? []).filter((k) => !columns.includes(k));
  if (missing.length > 0) {
    const where = sheet === undefined ? '' : `sheet ${JSON.stringify(sheet)}: `;
    const hint = sheet === undefined ? 'is this the order list?' : 'pass --sheet NAME for the sheet that holds the order list';
    throw new ConfigError(
      `${path}: ${where}the header row (row ${headerRow}) has no ${missing.map((k) => JSON.stringify(k)).join(', ')} column${missing.length > 1 ? 's' : ''} (staging.key_columns); ${hint}`,
    );
  }
}

function formatOf(path: string): 'csv' | 'xlsx' {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.xlsx') return 'xlsx';
  throw new ConfigError(`${path}: unsupported file type "${ext || '(none)'}"; expected .csv or .xlsx`);
}

/** Table and file must agree on columns by name; a file column with nowhere to go would be lost silently. */
function checkColumns(path: string, table: string, fileColumns: string[], tableColumns: string[], allowMissing: boolean): void {
  const inTable = new Set(tableColumns);
  const inFile = new Set(fileColumns);
  const unknown = fileColumns.filter((c) => !inTable.has(c));
  const missing = tableColumns.filter((c) => !inFile.has(c));
  const problems: string[] = [];
  if (unknown.length > 0) problems.push(`file columns not in table "${table}": ${unknown.map((c) => `"${c}"`).join(', ')}`);
  if (missing.length > 0 && !allowMissing) {
    problems.push(`table columns missing from the file: ${missing.map((c) => `"${c}"`).join(', ')}`);
  }
  if (problems.length > 0) throw new ConfigError(`${path}: ${problems.join('; ')}`);
}

function isBlank(record: FileRecord): boolean {
  return record.values.every((v) => v.trim() === '');
}

/** Why a record cannot be loaded, or undefined when it can. */
function rejection(record: FileRecord, width: number, format: 'csv' | 'xlsx'): string | undefined {
  const { values } = record;
  if (format === 'csv' && values.length !== width) return `${values.length} fields, the header has ${width}`;
  if (values.length > width && values.slice(width).some((v) => v.trim() !== '')) {
    return `values beyond the last header column (${values.length} cells, the header has ${width})`;
  }
  return undefined;
}

/**
 * Loads a customer order-list file into the staging table, streaming: rows go to the database in
 * batches as they are read, inside one transaction, so a failure leaves the table as it was.
 * A missing table is created in the file's column order, all columns text (the merge parses values).
 */
export async function ingestFile(db: Kysely<any>, opts: IngestOptions): Promise<IngestReport> {
  const started = Date.now();
  const format = formatOf(opts.path);
  if (opts.sheet !== undefined && format !== 'xlsx') throw new ConfigError(`${opts.path}: not a workbook; --sheet applies to .xlsx files only`);
  let sheet: string | undefined;
  const warnings: string[] = [];
  const records =
    format === 'csv'
      ? csvRecords(opts.path)
      : xlsxRecords(opts.path, { sheet: opts.sheet, maxUncompressedMb: opts.maxXlsxUncompressedMb, onSheet: (name) => (sheet = name), warn: (m) => warnings.push(m) });
  try {
    const first = await records.next();
    if (first.done) throw new ConfigError(`${opts.path}: ${sheet === undefined ? 'empty file' : `sheet ${JSON.stringify(sheet)} is empty`}, no header row`);
    const columns = headerNames(opts.path, first.value.values, opts.dialect);
    checkHeader(opts.path, sheet, first.value.row, columns, opts);
    const reserved = columns.filter(isSourceColumn);
    if (reserved.length > 0) throw new ConfigError(`${opts.path}: header row: column name(s) ${reserved.map((c) => `"${c}"`).join(', ')} are reserved for the source of each row`);
    const existing = await existingColumns(db, opts.table);
    const tableColumns = existing?.filter((c) => !isSourceColumn(c));
    if (tableColumns) checkColumns(opts.path, opts.table, columns, tableColumns, opts.allowMissingColumns ?? false);
    const written = [...columns, ...sourceColumnNames];
    const perBatch = rowsPerBatch(opts.dialect, written.length, opts.batchSize);
    const file = basename(opts.path);
    const report: IngestReport = {
      file: opts.path,
      format,
      ...(sheet === undefined ? {} : { sheet }),
      table: opts.table,
      created: tableColumns === undefined,
      replaced: tableColumns !== undefined && (opts.replace ?? false),
      columns,
      rowsRead: 0,
      rowsLoaded: 0,
      rowsBlank: 0,
      rowsRejected: 0,
      rejected: [],
      rejectedByReason: {},
      warnings,
      durationMs: 0,
    };
    await db.transaction().execute(async (trx) => {
      if (!report.created) await lockStaging(trx, opts.table, opts.dialect);
      if (report.created) {
        await createStagingTable(trx, opts.table, columns.map((name) => ({ name, type: 'text' as const })), opts.dialect, { withSource: true });
      } else {
        await addSourceColumns(trx, opts.table, existing ?? [], opts.dialect);
        if (report.replaced) await trx.deleteFrom(opts.table).execute();
      }
      const inserter = new RowInserter(trx, opts.table, written);
      let seq = report.created ? 0 : await lastSourceSeq(trx, opts.table);
      let batch: FileRecord[] = [];
      const flush = async (): Promise<void> => {
        await insertBatch(inserter, opts, batch, (r) => [file, r.row, r.line, ++seq]);
        report.rowsLoaded += batch.length;
        batch = [];
      };
      for await (const record of records) {
        report.rowsRead++;
        // Blank rows carry nothing to lose; a row with some values but the wrong shape does.
        if (isBlank(record)) {
          report.rowsBlank++;
          continue;
        }
        const reason = rejection(record, columns.length, format);
        if (reason) {
          reject(report, { file, row: record.row, line: record.line, reason });
          continue;
        }
        batch.push(record);
        if (batch.length >= perBatch) await flush();
      }
      await flush();
    });
    report.durationMs = Date.now() - started;
    return report;
  } catch (err) {
    if (dialectAdapter(opts.dialect).isLockRefused(err)) throw new StagingInUseError(opts.table, err);
    throw err;
  } finally {
    await records.return(undefined);
  }
}

/** A merge (or another ingest) is reading or writing the staging table: nothing is loaded. */
export class StagingInUseError extends OrdersyncError {
  constructor(table: string, cause: unknown) {
    super(
      `staging table "${table}" is in use by a running merge or another ingest; nothing was loaded — run the ingest again when it has finished`,
      ExitCode.locked,
      { cause },
    );
  }
}

/**
 * A merge holds staging for its whole snapshot; the load must not commit under it (the merge
 * would count two files), so it is refused at once rather than queued behind a merge that can
 * last minutes. On SQLite the merge holds the database's write lock and the load waits
 * busy_timeout for it instead.
 */
async function lockStaging(trx: Kysely<any>, table: string, dialect: DialectName): Promise<void> {
  const adapter = dialectAdapter(dialect);
  try {
    await adapter.lockStagingForLoad(trx, table);
  } catch (err) {
    if (adapter.isLockRefused(err)) throw new StagingInUseError(table, err);
    throw err;
  }
}

function reject(report: IngestReport, r: Rejection): void {
  report.rowsRejected++;
  const kind = r.reason.replace(/\d+/g, 'N');
  report.rejectedByReason[kind] = (report.rejectedByReason[kind] ?? 0) + 1;
  if (report.rejected.length < maxListedRejections) report.rejected.push(r);
}

/** Empty cells become NULL: a CSV cannot tell an empty string from a missing value. */
async function insertBatch(inserter: RowInserter, opts: IngestOptions, batch: FileRecord[], source: (r: FileRecord) => unknown[]): Promise<void> {
  if (batch.length === 0) return;
  const width = inserter.width - sourceColumnNames.length;
  // An xlsx row ends at its last filled cell: pad it, so the source lands in its own columns.
  const cell = (v: string | undefined) => (v === undefined || v === '' ? null : v);
  const rows = batch.map((r) => [...Array.from({ length: width }, (_, i) => cell(r.values[i])), ...source(r)]);
  try {
    await inserter.insert(rows);
  } catch (err) {
    const from = batch[0]?.row;
    const to = batch[batch.length - 1]?.row;
    const message = err instanceof Error ? err.message : String(err);
    throw new ConfigError(`${opts.path}: rows ${from}–${to} could not be loaded into "${opts.table}": ${message}`, { cause: err });
  }
}
