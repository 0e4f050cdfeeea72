// Two projects: `unit` (pure logic, parallel, no servers) and `int` (real MariaDB,
// RabbitMQ, Redis; one database/vhost/redis-db per test file, see test/support).
const transform = { '^.+\\.ts$': ['@swc/jest'] };
const moduleNameMapper = {
  '^@nova/cells/(.*)$': '<rootDir>/cells/$1/src',
  '^@nova/migrations/(.*)$': '<rootDir>/migrations/$1',
  '^@nova/(.*)$': '<rootDir>/libs/$1/src',
};
const common = { transform, moduleNameMapper, testEnvironment: 'node', rootDir: __dirname };

module.exports = {
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,cells}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'int',
      testMatch: ['<rootDir>/test/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
  ],
};
