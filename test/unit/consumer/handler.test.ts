import { SETTING_ENV_NAMES } from '../../../lambdas/core';
import { RuntimeEnv } from '../../../lambdas/contract/environment';
import { fluentKey } from './consumer-fixtures';

describe('Function: handler (Lambda entry point)', () => {
  const savedEnv = process.env;
  afterEach(() => {
    process.env = savedEnv;
  });

  /** Loads lambdas/consumer/handler.ts afresh, as a cold start with `env` would. */
  const coldStart = (env: Record<string, string>) => {
    process.env = { ...savedEnv, ...env };
    let loaded: unknown;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module instance per cold start
      loaded = require('../../../lambdas/consumer/handler');
    });
    return loaded as { handler: unknown };
  };
  const validEnv = () => ({
    [SETTING_ENV_NAMES.publicKeys]: fluentKey().publicKeyBase64,
    [SETTING_ENV_NAMES.accountIds]: 'ACME',
    [RuntimeEnv.IDEMPOTENCY_TABLE_NAME]: 'fluent-webhook-idempotency',
  });

  it('builds the handler once from the environment the stack sets', () => {
    // Act
    const module = coldStart(validEnv());

    // Assess
    expect(typeof module.handler).toBe('function');
  });

  it.each([
    ['no idempotency table name', { [RuntimeEnv.IDEMPOTENCY_TABLE_NAME]: '' }, /IDEMPOTENCY_TABLE_NAME is not set/],
    ['no account allow-list', { [SETTING_ENV_NAMES.accountIds]: '' }, /accountIds \(FLUENT_ACCOUNT_IDS\) is required/],
    [
      'a public key that does not parse',
      { [SETTING_ENV_NAMES.publicKeys]: 'not-a-key' },
      /Invalid receiver configuration/,
    ],
  ])('fails the cold start with a clear message given %s', (_case, override, message) => {
    // Act
    const start = () => coldStart({ ...validEnv(), ...override });

    // Assess
    expect(start).toThrow(message);
  });
});
