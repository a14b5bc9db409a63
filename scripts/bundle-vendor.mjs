// The second half of `npm run build`: kysely and zod, each as one ESM file in dist/vendor/,
// and dist/ importing those instead of the packages. Node 20 has no compile cache, and
// loading kysely's 263 files and zod's 95 one by one was 40 % of `ordersync status`'s start
// (docs/operations.md#startup); a single file per package loads in a fraction of that.
// Types still come from the packages; so does kysely for kysely-pglite-dialect, whose
// adapter objects the bundled Kysely accepts as it accepts any dialect's.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const VENDORED = ['kysely', 'zod'];

await Promise.all(
  VENDORED.map((name) =>
    build({
      stdin: { contents: `export * from '${name}';`, resolveDir: root, loader: 'js' },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outfile: join(dist, 'vendor', `${name}.js`),
      logLevel: 'warning',
    }),
  ),
);

const specifier = new RegExp(`(from |import\\()'(${VENDORED.join('|')})'`, 'g');
for (const file of jsFiles(dist)) {
  if (file.startsWith(join(dist, 'vendor') + sep)) continue;
  const text = readFileSync(file, 'utf8');
  const rewritten = text.replace(specifier, (_, lead, name) => {
    const path = relative(dirname(file), join(dist, 'vendor', `${name}.js`)).split(sep).join('/');
    return `${lead}'${path.startsWith('.') ? path : `./${path}`}'`;
  });
  if (rewritten !== text) writeFileSync(file, rewritten);
}

function* jsFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* jsFiles(path);
    else if (entry.name.endsWith('.js')) yield path;
  }
}
