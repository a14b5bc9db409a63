export { ingestFile, type IngestOptions } from './ingest.js';
export { maxListedRejections, type IngestReport, type Rejection } from './report.js';
export { createStagingTable, existingColumns, RowInserter, rowsPerBatch, type ColumnType, type DialectName } from './staging-table.js';
export { csvRecords } from './csv-source.js';
export { xlsxRecords } from './xlsx-source.js';
