/** The part of unzipper (exceljs' zip reader) that ingest uses: its streaming parser, entry by entry. */
declare module 'unzipper' {
  import type { Duplex, PassThrough } from 'node:stream';

  export interface Entry extends PassThrough {
    path: string;
    type: 'File' | 'Directory';
    autodrain(): unknown;
  }

  export function Parse(opts?: { forceStream?: boolean }): Duplex & AsyncIterable<Entry>;

  const unzipper: { Parse: typeof Parse };
  export default unzipper;
}
