/**
 * Where each staging row came from, in columns ingest adds after the file's own: the file's
 * name, its row number (the header being row 1, as a spreadsheet shows it), the physical line
 * the record starts on, and a sequence increasing across loads, so a table appended to
 * file after file is read back in the order the rows were in their files on every engine.
 */
export const SOURCE_COLUMNS = {
  file: 'ordersync_source_file',
  row: 'ordersync_source_row',
  line: 'ordersync_source_line',
  seq: 'ordersync_source_seq',
} as const;

export const sourceColumnNames: readonly string[] = Object.values(SOURCE_COLUMNS);

export function isSourceColumn(name: string): boolean {
  return sourceColumnNames.includes(name);
}

/** A staging row's place in the file it was loaded from. */
export interface RowSource {
  file: string;
  row: number;
  line: number;
}

/** "orders.csv row 12 (line 14)": findable in the file with a spreadsheet or an editor. */
export function formatSource(s: RowSource): string {
  return `${s.file} row ${s.row}${s.line !== s.row ? ` (line ${s.line})` : ''}`;
}
