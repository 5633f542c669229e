import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Two test files at a time on a two-core machine (vitest's default there is one): most
    // files spend their time waiting on a browser, a child server, SMTP or fsync.
    maxWorkers: 2,
  },
});
