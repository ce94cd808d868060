// The AWS SDK warns once per process that releases after January 2027 need Node 22; the Lambdas run Node 24
// and the README says so. In tests (and the runners they spawn) the warning is only noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  // Type-checking runs once in `npm run typecheck`; ts-jest only transpiles (tsconfig isolatedModules).
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/plain-summary-reporter.js'],
  testTimeout: 30000,
  // The docs' snippets import the package by name (tsconfig.json "paths").
  moduleNameMapper: {
    '^fluent-webhook-receiver$': '<rootDir>/lambdas/index.ts',
    '^fluent-webhook-receiver/cdk$': '<rootDir>/lib/index.ts',
    // Imported as written with its extension, as Node.js needs it in the consumer's bundle (lambdas/history/s3-history-bodies.ts).
    '^\\./lazy-s3-client\\.js$': '<rootDir>/lambdas/history/lazy-s3-client.ts',
  },
};
