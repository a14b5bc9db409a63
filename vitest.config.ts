import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/**/*.soak.test.ts'],
    pool: 'forks',
    // Most files wait on child processes, HTTP and the emulator's clock rather than the CPU, so even a
    // two-core machine runs two at once (vitest's default, one fewer than the cores, would be one).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
