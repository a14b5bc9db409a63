import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

const eslint = new ESLint({ cwd: REPO_ROOT });

async function lintMessages(filePath: string, code: string, rule: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(REPO_ROOT, filePath) });
  return (result?.messages ?? []).filter((m) => m.ruleId === rule).map((m) => m.message);
}
const restrictedImports = (filePath: string, code: string) => lintMessages(filePath, code, 'no-restricted-imports');
const surfaceImports = (filePath: string, code: string) => lintMessages(filePath, code, 'ordersync/public-surface');

const SRC = join(REPO_ROOT, 'src');
const folders = readdirSync(SRC).filter((f) => statSync(join(SRC, f)).isDirectory());

describe('layering lint', () => {
  it.each([
    ['src/config/planted.ts', "import { x } from '../db/connect.js';"],
    ['src/db/planted.ts', "import { x } from '../merge/merge.js';"],
    ['src/merge/planted.ts', "import { x } from '../sync/index.js';"],
    ['src/monday/planted.ts', "import { x } from '../db/connect.js';"],
    ['src/queue/planted.ts', "import { x } from '../merge/index.js';"],
    ['src/queue/planted.ts', "import { x } from '../monday/client.js';"],
    ['src/sync/planted.ts', "import { x } from '../observe/queries.js';"],
    ['src/sync/planted.ts', "import { x } from '../jobs/run.js';"],
    ['src/observe/planted.ts', "import { x } from '../checks/verify.js';"],
    ['src/observe/planted.ts', "import { x } from '../jobs/run.js';"],
    ['src/checks/planted.ts', "import { x } from '../jobs/run.js';"],
    ['src/jobs/planted.ts', "import { x } from '../serve/server.js';"],
    ['src/jobs/planted.ts', "import { x } from '../cli/main.js';"],
    ['src/serve/planted.ts', "import { x } from '../cli/render/summary.js';"],
    ['src/emulator/columns/planted.ts', "import { x } from '../../monday/client.js';"],
  ])('refuses an upward import planted in %s', async (file, code) => {
    const messages = await restrictedImports(file, `${code}\nexport const y = x;\n`);
    expect(messages.join('\n')).toMatch(/sits below these folders/);
  });

  it.each([
    ['src/sync/planted.ts', "import { x } from '../merge/index.js';"],
    ['src/observe/planted.ts', "import { x } from '../sync/index.js';"],
    ['src/jobs/planted.ts', "import { x } from '../checks/index.js';"],
    ['src/serve/planted.ts', "import { x } from '../jobs/index.js';"],
    ['src/emulator/columns/planted.ts', "import { x } from '../model.js';"],
    ['src/cli/commands/planted.ts', "import { x } from '../../jobs/run.js';"],
  ])('allows a downward or same-folder import in %s', async (file, code) => {
    const planted = `${code}\nexport const y = x;\n`;
    expect([...(await restrictedImports(file, planted)), ...(await surfaceImports(file, planted))]).toEqual([]);
  });
});

/** Each file under src/ and the files it imports at run time (relative imports that are not type-only). */
function runtimeImports(): Map<string, string[]> {
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(SRC, f));
  const known = new Set(files);
  const typeOnly = (elements: readonly { isTypeOnly: boolean }[]) => elements.length > 0 && elements.every((e) => e.isTypeOnly);
  return new Map(
    files.map((file) => {
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
      const targets: string[] = [];
      for (const node of source.statements) {
        let spec: ts.Expression | undefined;
        if (ts.isImportDeclaration(node)) {
          const clause = node.importClause;
          const bindings = clause?.namedBindings;
          const erased = clause !== undefined && (clause.isTypeOnly || (!clause.name && bindings !== undefined && ts.isNamedImports(bindings) && typeOnly(bindings.elements)));
          if (!erased) spec = node.moduleSpecifier;
        } else if (ts.isExportDeclaration(node) && !node.isTypeOnly) {
          const named = node.exportClause;
          if (!(named && ts.isNamedExports(named) && typeOnly(named.elements))) spec = node.moduleSpecifier;
        }
        const target = spec && ts.isStringLiteral(spec) && spec.text.startsWith('.') ? resolve(dirname(file), spec.text.replace(/\.js$/, '.ts')) : undefined;
        if (target && known.has(target)) targets.push(target);
      }
      return [file, targets];
    }),
  );
}

/** Every cycle a depth-first walk of the graph closes, as `a.ts → b.ts → a.ts` relative to src/. */
function importCycles(graph: Map<string, string[]>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (file: string, path: string[]): void => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(' → '));
      return;
    }
    state.set(file, 'open');
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  return cycles;
}

describe('public surface lint', () => {
  it.each([
    ['src/jobs/planted.ts', "import { x } from '../queue/flight.js';"],
    ['src/cli/commands/planted.ts', "import { x } from '../../db/connect.js';"],
    ['src/cli/planted.ts', "import type { x } from '../observe/queries.js';"],
    ['src/db/dialects/planted.ts', "import { x } from '../../config/dialects.js';"],
    ['src/merge/planted.ts', "export { x } from '../db/types.js';"],
    ['src/checks/planted.ts', "export * from '../monday/client.js';"],
    ['src/serve/planted.ts', "const { x } = await import('../observe/queries.js');"],
    ['src/cli/commands/planted.ts', "const { x } = await import('../../serve/server.js');"],
    ['src/observe/planted.ts', "import { x } from '../sync/verify.js';"],
    ['src/jobs/planted.ts', "import { x } from '../sync/executor.js';"],
    ['src/sampledata/planted.ts', "import { x } from '../ingest/ingest.js';"],
    ['src/cli/commands/planted.ts', "import { x } from '../../emulator/model.js';"],
  ])('refuses an import of another folder\'s private file planted in %s', async (file, code) => {
    const messages = await surfaceImports(file, `${code}\nexport const y = x;\n`);
    expect(messages.join('\n')).toMatch(/reaches into a private file of src\/\w+\/: import src\/\w+\/index\.ts/);
  });

  it.each([
    ['src/queue/planted.ts', "import { x } from './index.js';"],
    ['src/db/dialects/planted.ts', "import { x } from '../index.js';"],
  ])('refuses a file importing its own folder\'s index in %s', async (file, code) => {
    expect((await surfaceImports(file, `${code}\nexport const y = x;\n`)).join('\n')).toMatch(/an import of its own index is a cycle/);
  });

  it.each([
    ['src/jobs/planted.ts', "import { x } from '../queue/index.js';"],
    ['src/cli/commands/planted.ts', "const { x } = await import('../../serve/index.js');"],
    ['src/serve/planted.ts', "import { x } from '../observe/metrics.js';"],
    ['src/cli/planted.ts', "import { x } from '../jobs/worker.js';"],
    ['src/merge/planted.ts', "import { x } from '../ingest/source-columns.js';"],
    ['src/queue/planted.ts', "import { x } from './journal.js';"],
    ['src/db/planted.ts', "import { x } from './dialects/index.js';"],
    ['src/cli/planted.ts', "import { x } from './commands/index.js';"],
    ['src/jobs/planted.ts', "import { x } from '../errors.js';"],
    ['src/jobs/planted.ts', "import { x } from '../observe/exit-code.js';"],
    ['src/checks/planted.ts', "import { x } from '../observe/advice.js';"],
    ['src/checks/planted.ts', "import { x } from '../merge/staging-columns.js';"],
    ['src/checks/planted.ts', "import { x } from '../sync/board-match.js';"],
  ])('allows an index, a named entry point, a file of the same folder or a top-level file in %s', async (file, code) => {
    expect(await surfaceImports(file, `${code}\nexport const y = x;\n`)).toEqual([]);
  });

  it('finds an index.ts in every folder under src/', () => {
    expect(folders.filter((f) => !existsSync(join(SRC, f, 'index.ts')))).toEqual([]);
  });

  it('leaves no import cycle in src/ (type-only imports aside: they are erased)', () => {
    expect(importCycles(runtimeImports())).toEqual([]);
  });

  // What a light command loads (its --help too: the command's file is imported to describe it).
  it.each([
    ['rollback', ['observe/queries.ts', 'observe/report.ts', 'merge/merge.ts']],
    ['config', ['merge/merge.ts', 'queue/index.ts', 'observe/queries.ts']],
    ['doctor', ['sync/applier.ts', 'sync/executor.ts', 'observe/queries.ts', 'observe/report.ts']],
  ])('`%s` (and its --help) loads none of %j', (command, heavy) => {
    const graph = runtimeImports();
    const loaded = new Set<string>();
    const visit = (file: string): void => {
      if (loaded.has(file)) return;
      loaded.add(file);
      for (const next of graph.get(file) ?? []) visit(next);
    };
    visit(join(SRC, 'cli', 'commands', `${command}.ts`));
    expect(heavy.filter((f) => loaded.has(join(SRC, f)))).toEqual([]);
  });

  it('finds a cycle planted in the import graph (connect.ts importing the index that re-exports it)', () => {
    const graph = runtimeImports();
    graph.get(join(SRC, 'db', 'connect.ts'))!.push(join(SRC, 'db', 'index.ts'));
    expect(importCycles(graph)).toEqual([expect.stringMatching(/db\/index\.ts → db\/connect\.ts → db\/index\.ts|db\/connect\.ts → db\/index\.ts → db\/connect\.ts/)]);
  });
});

describe('docs/architecture.md', () => {
  it('lists the entry points eslint.config.js allows, folder by folder, in its Public surface table', async () => {
    const { ENTRY_POINTS } = (await import(pathToFileURL(join(REPO_ROOT, 'eslint.config.js')).href)) as { ENTRY_POINTS: Record<string, string[]> };
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'architecture.md'), 'utf8');
    const section = doc.slice(doc.indexOf('### Public surface'), doc.indexOf('| folder | role |'));
    const documented = Object.fromEntries(
      [...section.matchAll(/^\| `(\w+)\/` \| ([^|]*) \|/gm)].map(([, folder, cell]) => [folder, [...cell!.matchAll(/`([\w-]+)(?:\.ts)?`/g)].map((m) => m[1]!).sort()]),
    );
    expect(documented).toEqual(Object.fromEntries(Object.entries(ENTRY_POINTS).map(([folder, files]) => [folder, [...files].sort()])));
  });

  it('names every folder under src/ in its component table', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'architecture.md'), 'utf8');
    const folders = readdirSync(join(REPO_ROOT, 'src')).filter((f) => statSync(join(REPO_ROOT, 'src', f)).isDirectory());
    const missing = folders.filter((f) => !doc.includes(`| \`${f}/\``));
    expect(missing).toEqual([]);
  });
});
