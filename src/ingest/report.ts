export interface Rejection {
  /** The file's name (without its folder). */
  file: string;
  /** Record number in the file, the header being row 1 (the row number a spreadsheet shows). */
  row: number;
  /** Line the record starts on (CSV; quoted fields can span lines). */
  line: number;
  reason: string;
}

export interface IngestReport {
  file: string;
  format: 'csv' | 'xlsx';
  /** .xlsx: the sheet loaded. */
  sheet?: string;
  table: string;
  /** The table did not exist and was created from the file's header (all columns text). */
  created: boolean;
  /** Existing rows were deleted first, in the same transaction as the load. */
  replaced: boolean;
  columns: string[];
  /** Data records read (header excluded). */
  rowsRead: number;
  rowsLoaded: number;
  /** Rows with every field empty (spreadsheets export them around the data): skipped, not rejected. */
  rowsBlank: number;
  rowsRejected: number;
  /** Rejections in file order; capped at {@link maxListedRejections}, `rowsRejected` has the full count. */
  rejected: Rejection[];
  rejectedByReason: Record<string, number>;
  /** Loaded, but worth a look (merged cells: the cells they cover load empty). */
  warnings: string[];
  durationMs: number;
}

export const maxListedRejections = 1_000;
