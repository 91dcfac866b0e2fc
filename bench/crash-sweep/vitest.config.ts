import { defineConfig } from 'vitest/config';

// The crash sweep is a benchmark, not a test: its own config, so `npm test` never runs it.
export default defineConfig({
  test: {
    include: ['bench/crash-sweep/**/*.sweep.ts'],
    testTimeout: 6 * 60 * 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
