import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { ConfigError } from '../errors.js';
import type { FileRecord } from './file-record.js';
import { Utf8Check } from './utf8-check.js';

/**
 * Streams a CSV file's records. The parser is pulled one record at a time, so the file is read only
 * as fast as the caller consumes it. Syntax errors and binary content fail with the file and line.
 */
export async function* csvRecords(path: string): AsyncGenerator<FileRecord> {
  const parser = parse({ raw: true, bom: true, relax_column_count: true, record_delimiter: ['\r\n', '\n'] });
  // pipeline, unlike pipe, hands a read error (missing file, bytes that are not UTF-8 …) on to the parser and so to the loop below.
  pipeline(createReadStream(path), new Utf8Check(path), parser, () => undefined);
  let linesBefore = 0;
  let row = 0;
  try {
    for await (const { record, raw } of parser as AsyncIterable<{ record: string[]; raw: string }>) {
      row++;
      const line = linesBefore + 1;
      linesBefore += countNewlines(raw) + 1;
      yield { row, line, values: record };
    }
  } catch (err) {
    if (err instanceof CsvError) {
      // The parser reads ahead of this loop, so its own line count is the one that points at the fault.
      const at = (err as CsvError & { lines?: number }).lines ?? linesBefore + 1;
      throw new ConfigError(`${path}: line ${at}: malformed CSV: ${err.message}`, { cause: err });
    }
    if (isNodeError(err) && err.code === 'ENOENT') throw new ConfigError(`${path}: no such file`, { cause: err });
    throw err;
  } finally {
    parser.destroy();
  }
}

/** Line breaks inside a record; csv-parse's raw text may or may not end with the record's own LF. */
function countNewlines(raw: string): number {
  const text = raw.endsWith('\n') ? raw.slice(0, -1) : raw;
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function isNodeError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && 'code' in err;
}
