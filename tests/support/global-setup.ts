import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * CLI tests spawn the built binary (bin/ordersync.js → dist/), as users run it, instead of
 * transpiling the sources in every child. Build once, before any test starts, so the
 * binary always matches the sources under test.
 */
export default function setup(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const tsc = createRequire(resolve(root, 'package.json')).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', resolve(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  // As `npm run build` does: the binary under test loads kysely and zod from dist/vendor/.
  execFileSync(process.execPath, [resolve(root, 'scripts', 'bundle-vendor.mjs')], { cwd: root, stdio: 'inherit' });
}
