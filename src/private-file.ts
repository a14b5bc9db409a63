import { randomBytes } from 'node:crypto';
import { closeSync, constants, copyFileSync, fsyncSync, linkSync, openSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * Every file ordersync writes holds order data, configuration or board state, so it is
 * owner-only from its first byte: created with mode 0600 (never chmod-ed afterwards, which
 * leaves a window and nothing at all when interrupted). Files are written to a temp file
 * beside the target and renamed over it, so a reader never sees half a file, an existing
 * world-readable file is replaced rather than reused, and what an interruption leaves
 * behind (`<name>.<pid>-<random>.tmp`) is private too.
 */
export const PRIVATE_MODE = 0o600;

/** Creates `path` owner-only when it does not exist; an existing file is left as it is. */
export function ensurePrivateFile(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_MODE));
}

export interface PrivateWriteOptions {
  /** Fail with EEXIST instead of replacing an existing file. */
  exclusive?: boolean;
}

function tempBeside(path: string): string {
  return `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
}

function commit(temp: string, path: string, exclusive: boolean | undefined): void {
  if (exclusive) {
    // link fails when the target exists, where rename would replace it.
    try {
      linkSync(temp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw err;
      // A file system without hard links: an exclusive copy (libuv creates it with the temp file's mode).
      copyFileSync(temp, path, constants.COPYFILE_EXCL);
    }
    unlinkSync(temp);
  } else {
    renameSync(temp, path);
  }
}

/**
 * Lets `fill` write the content into an empty owner-only temp file (by path: a stream, SQLite's
 * backup API), makes it durable, then puts it in place. Returns what `fill` returns.
 */
export async function writePrivately<T>(path: string, fill: (tempPath: string) => Promise<T> | T, opts: PrivateWriteOptions = {}): Promise<T> {
  const temp = tempBeside(path);
  closeSync(openSync(temp, 'wx', PRIVATE_MODE));
  try {
    const result = await fill(temp);
    const handle = await open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    commit(temp, path, opts.exclusive);
    return result;
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

export async function writePrivateFile(path: string, data: string | Uint8Array, opts: PrivateWriteOptions = {}): Promise<void> {
  await writePrivately(
    path,
    async (temp) => {
      const handle = await open(temp, 'r+');
      try {
        await handle.writeFile(data);
      } finally {
        await handle.close();
      }
    },
    opts,
  );
}

/** The same, synchronously (for a save on close, where the event loop may not run again). */
export function writePrivateFileSync(path: string, data: string | Uint8Array, opts: PrivateWriteOptions = {}): void {
  const temp = tempBeside(path);
  const fd = openSync(temp, 'wx', PRIVATE_MODE);
  try {
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    commit(temp, path, opts.exclusive);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}
