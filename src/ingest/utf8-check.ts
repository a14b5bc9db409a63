import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import { ConfigError } from '../errors.js';

/**
 * Passes a text file's bytes through unchanged and fails at the first NUL byte (binary content)
 * or sequence that is not UTF-8, naming its line. Decoding alone cannot tell: invalid bytes
 * decode to U+FFFD, and U+FFFD is also a valid character a customer's text may hold.
 */
export class Utf8Check extends Transform {
  /** The start of a sequence that continues in the next chunk. */
  #pending: Buffer = Buffer.alloc(0);
  /** Line number at the start of the bytes not yet checked. */
  #line = 1;

  constructor(private readonly path: string) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const data = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    const cut = completeLength(data);
    const whole = data.subarray(0, cut);
    const nul = whole.indexOf(0);
    const bad = isUtf8(whole) ? -1 : firstInvalid(whole);
    if (nul !== -1 && (bad === -1 || nul < bad)) {
      done(new ConfigError(`${this.path}: line ${this.#line + countLineFeeds(whole, nul)}: binary content (NUL byte); not a CSV text file`));
      return;
    }
    if (bad !== -1) {
      done(this.#invalid(whole, bad));
      return;
    }
    this.#line += countLineFeeds(whole, whole.length);
    this.#pending = Buffer.from(data.subarray(cut));
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    done(this.#pending.length > 0 ? this.#invalid(this.#pending, 0) : null);
  }

  #invalid(bytes: Buffer, at: number): ConfigError {
    return new ConfigError(`${this.path}: line ${this.#line + countLineFeeds(bytes, at)}: not valid UTF-8; save the file as "CSV UTF-8"`);
  }
}

function countLineFeeds(bytes: Buffer, end: number): number {
  let n = 0;
  for (let i = bytes.indexOf(10); i !== -1 && i < end; i = bytes.indexOf(10, i + 1)) n++;
  return n;
}

/** Sequence length announced by a lead byte; 0 for a continuation or an impossible byte. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Bytes up to the start of a multi-byte sequence the chunk cuts off (all of them when none is cut). */
function completeLength(data: Buffer): number {
  for (let back = 1; back <= Math.min(3, data.length); back++) {
    const byte = data[data.length - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    const length = sequenceLength(byte);
    return length > back ? data.length - back : data.length;
  }
  return data.length;
}

/** Offset of the first byte that does not begin a valid UTF-8 sequence (RFC 3629: no overlongs, no surrogates). */
function firstInvalid(data: Buffer): number {
  for (let i = 0; i < data.length; ) {
    const lead = data[i]!;
    const length = sequenceLength(lead);
    if (length === 0 || i + length > data.length) return i;
    const second = data[i + 1] ?? 0;
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    if (length > 1 && (second < low || second > high)) return i;
    for (let k = 2; k < length; k++) if (((data[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += length;
  }
  return data.length;
}
