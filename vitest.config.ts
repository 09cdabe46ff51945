import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // dist/libxml2.cjs, which the XML reader evaluates for each libxml2 it makes (src/xml/libxml2.ts).
    globalSetup: ['test/support/libxml2-bundle.ts'],
    // End-to-end tests create network namespaces; keep them from racing each other.
    fileParallelism: true,
    testTimeout: 30_000,
  },
});
