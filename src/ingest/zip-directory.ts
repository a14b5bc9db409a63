import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createInflateRaw } from 'node:zlib';

/**
 * The central directory of a zip file (an .xlsx is one): what each entry declares, read
 * without inflating anything, so a workbook can be judged by its declared size before a
 * parser is handed it. APPNOTE.TXT 4.3.12 (central header), 4.3.16 (end record), 4.3.14-15
 * (ZIP64).
 */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export class NotAZipError extends Error {}

/** The entries inflate, in all, past the limit: `entry` is where the count crossed it. */
export class InflateLimitError extends Error {
  constructor(readonly entry: string) {
    super(`${entry} inflates past the limit`);
  }
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** An .xlsx lists a few dozen entries; a directory beyond this is not a workbook. */
const MAX_DIRECTORY_BYTES = 16 * 1024 * 1024;

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  if (bytesRead !== length) throw new NotAZipError('truncated zip structure');
  return buffer;
}

function u64(b: Buffer, at: number): number {
  const n = b.readBigUInt64LE(at);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new NotAZipError('zip64 size out of range');
  return Number(n);
}

export async function zipEntries(path: string): Promise<ZipEntry[]> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    // The end record (22 bytes) is last, followed only by a comment of at most 65,535 bytes.
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = await readAt(file, size - tailLength, tailLength);
    let end = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        end = i;
        break;
      }
    }
    if (end < 0) throw new NotAZipError('no zip end record');
    let count = tail.readUInt16LE(end + 10);
    let directorySize = tail.readUInt32LE(end + 12);
    let directoryOffset = tail.readUInt32LE(end + 16);
    const locatorAt = size - tailLength + end - 20;
    if ((count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) && locatorAt >= 0) {
      const locator = await readAt(file, locatorAt, 20);
      if (locator.readUInt32LE(0) === ZIP64_LOCATOR) {
        const record = await readAt(file, u64(locator, 8), 56);
        if (record.readUInt32LE(0) !== ZIP64_EOCD) throw new NotAZipError('bad zip64 end record');
        count = u64(record, 32);
        directorySize = u64(record, 40);
        directoryOffset = u64(record, 48);
      }
    }
    if (directorySize > MAX_DIRECTORY_BYTES || directoryOffset + directorySize > size) throw new NotAZipError('implausible zip directory');
    const dir = await readAt(file, directoryOffset, directorySize);
    const entries: ZipEntry[] = [];
    let at = 0;
    for (let i = 0; i < count; i++) {
      if (at + 46 > dir.length || dir.readUInt32LE(at) !== CENTRAL) throw new NotAZipError('bad zip directory entry');
      const nameLength = dir.readUInt16LE(at + 28);
      const extraLength = dir.readUInt16LE(at + 30);
      const commentLength = dir.readUInt16LE(at + 32);
      const entry: ZipEntry = {
        name: dir.toString('utf8', at + 46, at + 46 + nameLength),
        method: dir.readUInt16LE(at + 10),
        compressedSize: dir.readUInt32LE(at + 20),
        uncompressedSize: dir.readUInt32LE(at + 24),
        localHeaderOffset: dir.readUInt32LE(at + 42),
      };
      applyZip64Extra(entry, dir.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength));
      entries.push(entry);
      at += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  } finally {
    await file.close();
  }
}

/** ZIP64 extra field (id 1): 8-byte values for exactly those fields that read 0xFFFFFFFF, in this order. */
function applyZip64Extra(entry: ZipEntry, extra: Buffer): void {
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === 1) {
      let p = at + 4;
      const next = (): number => {
        if (p + 8 > at + 4 + length) throw new NotAZipError('short zip64 extra field');
        const v = u64(extra, p);
        p += 8;
        return v;
      };
      if (entry.uncompressedSize === 0xffffffff) entry.uncompressedSize = next();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next();
      return;
    }
    at += 4 + length;
  }
}

/** The entry's content as UTF-8 text, inflated chunk by chunk; never more than it declares (a larger one fails). */
export async function* zipEntryText(path: string, entry: ZipEntry): AsyncGenerator<string> {
  const file = await open(path, 'r');
  let dataStart: number;
  try {
    const local = await readAt(file, entry.localHeaderOffset, 30);
    if (local.readUInt32LE(0) !== LOCAL) throw new NotAZipError(`bad local header for ${entry.name}`);
    dataStart = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  } finally {
    await file.close();
  }
  if (entry.method !== 0 && entry.method !== 8) throw new NotAZipError(`unsupported compression method ${entry.method} for ${entry.name}`);
  if (entry.compressedSize === 0) return;
  const raw = createReadStream(path, { start: dataStart, end: dataStart + entry.compressedSize - 1 });
  const content: Readable = entry.method === 0 ? raw : raw.pipe(createInflateRaw());
  raw.on('error', (err) => content.destroy(err));
  const decoder = new StringDecoder('utf8');
  let produced = 0;
  try {
    for await (const chunk of content as AsyncIterable<Buffer>) {
      produced += chunk.length;
      if (produced > entry.uncompressedSize) throw new NotAZipError(`${entry.name} inflates beyond the ${entry.uncompressedSize} bytes it declares`);
      yield decoder.write(chunk);
    }
    yield decoder.end();
  } finally {
    content.destroy();
    raw.destroy();
  }
}

/**
 * Inflates every entry the way exceljs will read the file (unzipper's streaming parser, local
 * headers in file order), counting what really comes out and discarding it: the directory's
 * sizes are only what the file says about itself. Refuses past `limitBytes` in all, and an entry
 * that inflates to more than `directory` declares for it (or that it does not list), so nothing
 * later trusts a size that lied.
 */
export async function checkInflated(path: string, directory: ZipEntry[], limitBytes: number): Promise<void> {
  const { default: unzipper } = await import('unzipper');
  const declared = new Map(directory.map((e) => [e.name, e.uncompressedSize]));
  const source = createReadStream(path);
  const zip = unzipper.Parse({ forceStream: true });
  source.on('error', (err) => zip.destroy(err));
  source.pipe(zip);
  let total = 0;
  try {
    for await (const entry of zip) {
      let size = 0;
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        size += chunk.length;
        total += chunk.length;
        if (total > limitBytes) throw new InflateLimitError(entry.path);
      }
      const listed = declared.get(entry.path);
      if (listed === undefined) throw new NotAZipError(`${entry.path} is not in the zip directory`);
      if (size > listed) throw new NotAZipError(`${entry.path} inflates to ${size} bytes, more than the ${listed} its zip directory declares`);
    }
  } finally {
    source.destroy();
    zip.destroy();
  }
}
