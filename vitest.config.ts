import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts', 'web/src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Any request that leaves 127.0.0.1 fails the test (tests/_util/no-network.ts).
    setupFiles: ['tests/_util/no-network.ts'],
  },
});
