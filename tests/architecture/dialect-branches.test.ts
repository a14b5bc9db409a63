import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

const SRC = join(REPO_ROOT, 'src');
/** Where engine differences live: the adapters, and how each dialect is configured. */
const HOMES = ['src/db/dialects/', 'src/config/dialects.ts'];

const NAME = `['"](sqlite|postgres|pglite|mssql)['"]`;
const BRANCHES: RegExp[] = [
  // db.dialect === …, target.dialect !== …, dialect === …
  /\bdialect\s*[!=]==/,
  // anything compared with a dialect or family name: adapter.family === 'postgres', 'sqlite' !== x
  new RegExp(`[!=]==\\s*${NAME}`),
  new RegExp(`${NAME}\\s*[!=]==`),
  new RegExp(`case\\s+${NAME}\\s*:`),
  // a table looked up by dialect: parameterLimit[opts.dialect]
  /\[\s*[\w.]*\bdialect\s*\]/,
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every line outside the homes that decides by dialect, as `file:line: text`. */
function dialectBranches(): string[] {
  return files(SRC).flatMap((path) => {
    const rel = relative(REPO_ROOT, path);
    if (HOMES.some((h) => rel.startsWith(h))) return [];
    return readFileSync(path, 'utf8')
      .split('\n')
      .flatMap((line, i) => (BRANCHES.some((re) => re.test(line)) ? [`${rel}:${i + 1}: ${line.trim()}`] : []));
  });
}

describe('dialect branches live in src/db/dialects/ only', () => {
  const planted: string[] = [];
  const plant = (rel: string, code: string) => {
    const path = join(REPO_ROOT, rel);
    writeFileSync(path, code);
    planted.push(path);
    return rel;
  };
  afterEach(() => {
    for (const p of planted.splice(0)) rmSync(p, { force: true });
  });

  it('src/ has none outside the adapters', () => {
    expect(dialectBranches()).toEqual([]);
  });

  it.each([
    ['src/merge/planted-dialect-branch.ts', "export const f = (db: { dialect: string }) => (db.dialect === 'sqlite' ? 1 : 2);\n"],
    ['src/ingest/planted-dialect-branch.ts', "export const f = (d: string) => {\n  switch (d) {\n    case 'postgres':\n      return 1;\n  }\n  return 2;\n};\n"],
    ['src/observe/planted-dialect-branch.ts', "export const f = (a: { family: string }) => a.family !== 'mssql';\n"],
    ['src/ingest/planted-dialect-table.ts', "const limit: Record<string, number> = {};\nexport const f = (opts: { dialect: string }) => limit[opts.dialect];\n"],
  ])('finds a branch planted in %s', (rel, code) => {
    const file = plant(rel, code);
    expect(dialectBranches().map((b) => b.split(':')[0])).toEqual([file]);
  });

  it('leaves a branch inside an adapter alone', () => {
    plant('src/db/dialects/planted-dialect-branch.ts', "export const f = (db: { dialect: string }) => db.dialect === 'sqlite';\n");
    expect(dialectBranches()).toEqual([]);
  });
});
