import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests create network namespaces; keep them from racing each other.
    fileParallelism: true,
    testTimeout: 30_000,
  },
});
