import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'cdk.out/', 'coverage/', '.local/', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['lambdas/core/**/*.ts', 'lambdas/contract/**/*.ts'],
    rules: {
      // The core and the contract are pure: no AWS SDK, Lambda or CDK imports, so they run the same in Lambda, locally,
      // in the CLI and at synth.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '@aws-sdk/*',
            '@aws-lambda-powertools/*',
            'aws-cdk-lib',
            'aws-cdk-lib/*',
            'constructs',
            'aws-lambda',
          ],
        },
      ],
    },
  },
);
