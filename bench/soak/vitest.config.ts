import { defineConfig } from 'vitest/config';

// The soak is a benchmark, not a test: its own config, so `npm test` never runs it.
export default defineConfig({
  test: {
    include: ['bench/soak/**/*.soak.ts'],
    testTimeout: 4 * 60 * 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
