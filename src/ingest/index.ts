export { ingestFile } from './ingest.js';
export type { IngestOptions } from './ingest.js';
export type { IngestReport, Rejection } from './report.js';
export { maxListedRejections } from './report.js';
export { createStagingTable, existingColumns, RowInserter, rowsPerBatch } from './staging-table.js';
export type { ColumnType, DialectName } from './staging-table.js';
export { csvRecords } from './csv-source.js';
export { xlsxRecords } from './xlsx-source.js';
export { SOURCE_COLUMNS, formatSource, isSourceColumn, type RowSource } from './source-columns.js';
