import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The shared reference material (monday.com's SDL, prior boards) lives beside the
 * repository, never inside it. ORDERSYNC_REFERENCE_DIR points elsewhere when needed.
 */
export function referenceDir(): string {
  return process.env.ORDERSYNC_REFERENCE_DIR ?? resolve(repoRoot, '..', 'shared', 'reference');
}

export function referenceFile(rel: string): string | undefined {
  const path = resolve(referenceDir(), rel);
  return existsSync(path) ? path : undefined;
}

/** The real monday.com SDL text, or undefined when the reference folder is absent. */
export function realMondaySdl(): string | undefined {
  const path = referenceFile('monday/schema.graphql');
  return path ? readFileSync(path, 'utf8') : undefined;
}
