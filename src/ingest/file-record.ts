/** One record of a customer file, as text, with where it sits in the file. */
export interface FileRecord {
  /** Record number counting the header as 1: the row number a spreadsheet shows. */
  row: number;
  /** Physical line the record starts on (a quoted field may span lines); equals `row` for xlsx. */
  line: number;
  /** Cell texts; '' where empty. */
  values: string[];
}
