// Test runner settings: node environment, generous timeouts for the short real-data trainings.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Lab files import the public API as `mnist-lab`: in tests that is the source tree, as in the CLI run from it.
  resolve: { alias: { 'mnist-lab': fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
