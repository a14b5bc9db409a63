import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, exitCodeTable } from '../../src/errors.js';
import { REPO_ROOT } from '../support/cli.js';

/** The exit-code tables are the one ExitCode definition, and every code is proven by a test. */
describe('exit codes', () => {
  for (const doc of ['README.md', 'docs/operations.md']) {
    it(`${doc} holds the table generated from ExitCode`, () => {
      expect(readFileSync(join(REPO_ROOT, doc), 'utf8')).toContain(`${exitCodeTable()}\n`);
    });
  }

  it('every code is asserted by a test of the real CLI', () => {
    const files = (function walk(dir: string): string[] {
      return readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
      });
    })(join(REPO_ROOT, 'tests'));
    const text = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const [name, code] of Object.entries(ExitCode)) {
      const asserted = new RegExp(`code[^\\n]*\\)\\.toBe\\((ExitCode\\.${name}|${code})\\)|code: (ExitCode\\.${name}|${code})\\b|ExitCode\\.${name}\\]`).test(text);
      expect(asserted, `no test asserts exit code ${code} (${name})`).toBe(true);
    }
  });
});
