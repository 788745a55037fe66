import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'packages/*/src/**/*.test.ts'],
    // Tests start real PostgreSQL servers and run the built CLI; give them room.
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
