import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/errors.js';

/** A scratch folder per test file; `write` puts a config in it and returns its path. */
export function scratch(prefix = 'ordersync-cfg-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let n = 0;
  return {
    dir,
    write(lines: string | string[], name = `c${++n}.toml`): string {
      const file = join(dir, name);
      writeFileSync(file, Array.isArray(lines) ? `${lines.join('\n')}\n` : lines);
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The ConfigError `fn` throws (fails the test when it throws nothing or something else). */
export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw new Error(`expected a ConfigError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}
