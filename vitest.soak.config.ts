import { defineConfig } from 'vitest/config';

/** `npm run test:soak`: the long variants (tests/soak/*.soak.test.ts), excluded from `npm test`. */
export default defineConfig({
  test: {
    include: ['tests/soak/**/*.soak.test.ts'],
    pool: 'forks',
    globalSetup: ['tests/support/global-setup.ts'],
    fileParallelism: false,
    // RSS is compared after a full collection, so garbage not yet collected is not counted as growth.
    execArgv: ['--expose-gc'],
    testTimeout: 60 * 60_000,
    hookTimeout: 10 * 60_000,
    reporters: ['default'],
  },
});
