import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';


/**
 * Layering: data flows config → db → queue → (ingest, monday) → merge → sync → observe → checks → jobs →
 * serve → cli, with the emulator standing alone. queue/ owns row state and the run record; observe/ reads
 * (queries, report, metrics, alerts); checks/ compares (doctor, validate, verify); jobs/ does (run,
 * cutover, rollback, backup, workers); serve/ is the HTTP server and dashboard. A folder may import only
 * from folders below it; an upward import fails lint. Each entry names the folders a layer must not reach.
 */
const ABOVE = ['queue', 'ingest', 'monday', 'merge', 'sync', 'observe', 'checks', 'jobs', 'serve', 'cli'];
const above = (layer) => ABOVE.slice(ABOVE.indexOf(layer) + 1);
const FORBIDDEN = {
  config: ['db', ...ABOVE, 'emulator', 'sampledata'],
  db: [...ABOVE, 'emulator', 'sampledata'],
  queue: [...above('queue'), 'emulator', 'sampledata'],
  ingest: ['monday', ...above('monday'), 'emulator', 'sampledata'],
  monday: ['db', 'queue', 'ingest', ...above('monday'), 'emulator', 'sampledata'],
  merge: ['monday', ...above('merge'), 'emulator', 'sampledata'],
  sync: [...above('sync'), 'emulator', 'sampledata'],
  observe: [...above('observe'), 'emulator'],
  checks: [...above('checks'), 'emulator'],
  jobs: [...above('jobs'), 'emulator'],
  serve: [...above('serve'), 'emulator'],
  sampledata: ['db', 'queue', ...above('ingest'), 'emulator'],
  emulator: ['config', 'db', ...ABOVE, 'sampledata'],
};

const layering = Object.entries(FORBIDDEN).map(([layer, banned]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^(\\.\\./)+(${banned.join('|')})(/|\\.js$)`,
            message: `src/${layer}/ sits below these folders in the data flow; move the shared code down instead (docs/architecture.md).`,
          },
        ],
      },
    ],
  },
}));

/**
 * Public surface: a folder under src/ is imported from another folder through its index.ts, never
 * through a private file, so the folder can move code around inside without touching its importers.
 * An index re-exports eagerly: a module it would drag into every importer (a heavy package, or code only
 * one command needs) is an entry point of its own instead, named here, because cli/commands/index.ts
 * imports a command only when it runs (`npm run bench:cli`). A file never imports its own folder's
 * index, which re-exports it (a cycle).
 */
export const ENTRY_POINTS = {
  // --timezone is parsed for every command, the emulator's too, which loads no configuration (zod, smol-toml).
  config: ['time-zone'],
  // The read-only commands (status, log, prune) read and prune the journal without the queue's writers.
  queue: ['journal'],
  // merge and the sample data use the staging table without the file readers (csv-parse, exceljs).
  ingest: ['source-columns', 'staging-table'],
  // Only `ordersync plan` needs the planner's preview of the merge (the whole merge); rollback reads
  // what a synced order shows on the board (desired) without the applier; doctor checks the
  // business-key columns (board-match) without the sync's phases.
  sync: ['plan', 'desired', 'board-match'],
  // Commands of their own: `config validate` and `doctor` need neither verify nor the post-run check.
  checks: ['doctor', 'validate'],
  // cli-progress and pino; prom-client: only a job showing its progress and `serve` load them.
  // exitCodeFor and adviceFor without the read models (queries, report, run history): rollback, doctor.
  observe: ['progress', 'metrics', 'exit-code', 'advice'],
  // The staging table's columns, profile and value rules without the merge and the queue: config validate, doctor.
  merge: ['staging-columns', 'staging-profile', 'transforms', 'order-key'],
  // One job per CLI command (an index of every job would load them all, pg-boss too, for each);
  // jobs/index.ts holds what is not a job (signals, cron).
  jobs: ['backup', 'cutover', 'demo', 'from-board', 'observed', 'queue', 'rollback', 'run', 'schedule', 'worker'],
};

const SRC = join(dirname(fileURLToPath(import.meta.url)), 'src');
const FOLDERS = readdirSync(SRC).filter((f) => statSync(join(SRC, f)).isDirectory());
/** The folder under src/ a path lies in; undefined outside src/ and for src/'s own top-level files. */
const folderOf = (path) => {
  const [first, ...rest] = relative(SRC, path).split(sep);
  return rest.length > 0 && FOLDERS.includes(first) ? first : undefined;
};

const publicSurface = {
  meta: {
    type: 'problem',
    schema: [],
    messages: {
      private: "'{{spec}}' reaches into a private file of src/{{folder}}/: import {{allowed}} instead (docs/architecture.md#public-surface).",
      ownIndex: "'{{spec}}' is src/{{folder}}/index.ts, which re-exports this folder's files: import the file itself (an import of its own index is a cycle).",
    },
  },
  create(context) {
    const file = context.filename;
    const from = folderOf(file);
    if (from === undefined) return {};
    const check = (source) => {
      const spec = source?.type === 'Literal' ? source.value : undefined;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = resolve(dirname(file), spec);
      const folder = folderOf(target);
      if (folder === undefined) return;
      const inside = relative(join(SRC, folder), target).split(sep).join('/');
      if (folder === from) {
        if (inside === 'index.js' && relative(join(SRC, folder), file) !== 'index.ts') context.report({ node: source, messageId: 'ownIndex', data: { spec, folder } });
        return;
      }
      const entries = ['index', ...(ENTRY_POINTS[folder] ?? [])];
      if (entries.some((e) => inside === `${e}.js`)) return;
      const allowed = entries.map((e) => `src/${folder}/${e}.ts`).join(' or ');
      context.report({ node: source, messageId: 'private', data: { spec, folder, allowed } });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/out/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain JavaScript run by Node: the installed entry point and CI's audit script.
    files: ['bin/**/*.js', 'scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  ...layering,
  {
    files: ['src/**/*.ts'],
    plugins: { ordersync: { rules: { 'public-surface': publicSurface } } },
    rules: { 'ordersync/public-surface': 'error' },
  },
);
