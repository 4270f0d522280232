import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Crash and stall tests time real processes against real servers; on a 2-core machine, running test
    // files side by side turns their timing bounds into noise. Files run one at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 30_000,
    globalSetup: ['test/harness/globalSetup.ts'],
  },
});
