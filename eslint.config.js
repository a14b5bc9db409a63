import js from '@eslint/js';
import tseslint from 'typescript-eslint';


/**
 * Layering: data flows config → db → merge → sync → ops → jobs → cli, with monday/ (the API client) beside
 * merge and the emulator standing alone. A folder may import only from folders below it; an upward
 * import fails lint. Each entry names the folders a layer must not reach.
 */
const FORBIDDEN = {
  config: ['db', 'ingest', 'merge', 'monday', 'sync', 'ops', 'jobs', 'observe', 'serve', 'checks', 'cli', 'emulator', 'sampledata'],
  db: ['ingest', 'merge', 'monday', 'sync', 'ops', 'jobs', 'observe', 'serve', 'checks', 'cli', 'emulator', 'sampledata'],
  ingest: ['merge', 'monday', 'sync', 'ops', 'jobs', 'observe', 'serve', 'checks', 'cli', 'emulator', 'sampledata'],
  monday: ['db', 'ingest', 'merge', 'sync', 'ops', 'jobs', 'observe', 'serve', 'checks', 'cli', 'emulator', 'sampledata'],
  merge: ['monday', 'sync', 'ops', 'jobs', 'observe', 'serve', 'checks', 'cli', 'emulator', 'sampledata'],
  sync: ['ops', 'jobs', 'observe', 'serve', 'checks', 'cli', 'emulator', 'sampledata'],
  ops: ['jobs', 'cli', 'emulator'],
  jobs: ['cli', 'emulator'],
  sampledata: ['db', 'merge', 'monday', 'sync', 'ops', 'jobs', 'observe', 'serve', 'checks', 'cli', 'emulator'],
  emulator: ['config', 'db', 'ingest', 'merge', 'monday', 'sync', 'ops', 'jobs', 'observe', 'serve', 'checks', 'cli', 'sampledata'],
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
