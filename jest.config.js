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
  testTimeout: 30000,
};
