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
);
