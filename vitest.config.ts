import { configDefaults, defineConfig } from 'vitest/config';

// Test files that start nothing (no simulator, fake Discord, redis-server or child process): pure logic, config
// checks, SQLite in a temp file. `npm run test:unit` runs them alone in seconds. A new test file is an integration
// test until it is listed here, so `npm test` always runs it. (test/ops/logCatalogue.test.ts starts nothing either, but
// it compiles all of src/ with the TypeScript compiler: about 10 s, so it stays out of the quick run.)
const UNIT = [
  'test/coordination/coordinationConfig.test.ts',
  'test/coordination/deferredRunRepo.test.ts',
  'test/core/classifyAnswer.test.ts',
  'test/core/ledger.test.ts',
  'test/core/localRateBudget.test.ts',
  'test/core/sign.test.ts',
  'test/discovery/discoveryConfig.test.ts',
  'test/discovery/feedParsers.test.ts',
  'test/discovery/parseCodesFromMessage.test.ts',
  'test/i18n/catalogue.test.ts',
  'test/i18n/embeds.test.ts',
  'test/i18n/userError.test.ts',
  'test/ops/gracefulShutdown.test.ts',
];

export default defineConfig({
  test: {
    // Integration tests start real servers (simulator, fake Discord, redis-server); give them room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    // `vitest run` runs both; `vitest run --project unit` the fast ones only.
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...UNIT],
          maxWorkers: 2,
        },
      },
    ],
  },
});
