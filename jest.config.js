// Two tiers, chosen with --selectProjects:
//   unit: *.spec.ts beside the code; no infrastructure.
//   e2e:  test/e2e/**/*.e2e-spec.ts, against the real Kafka broker and PostgreSQL that the
//         stack tools start, with every service as its own process.
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]),
);
const transform = { '^.+\\.ts$': ['@swc/jest', require('./tools/swc-options.cjs')] };
const common = { rootDir: __dirname, moduleNameMapper, transform, testEnvironment: 'node' };

module.exports = {
  // A global option (not per project): e2e tests run whole campaigns; unit tests finish far sooner.
  testTimeout: 300_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
    },
  ],
};
