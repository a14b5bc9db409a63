import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mondaySdl } from '../../src/emulator/api-schema.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * monday.com's 2026-10 type system as vendored in the repository (src/monday/schema/,
 * descriptions stripped), so every test that checks a document against the real API runs in
 * any clone.
 */
export function realMondaySdl(): string {
  return mondaySdl();
}
