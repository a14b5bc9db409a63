import { isAbsolute, resolve } from 'node:path';
import type { ResolvedConfig } from './load.js';

/** Relative paths in the file are relative to the file, not to wherever the command ran. */
export function resolveFromConfig(cfg: Pick<ResolvedConfig, 'dir'>, path: string): string {
  return isAbsolute(path) ? path : resolve(cfg.dir, path);
}
