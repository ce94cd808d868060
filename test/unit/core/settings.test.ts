import {
  ConfigurationError,
  DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS,
  MIN_IDEMPOTENCY_EXPIRY_SECONDS,
  parseReceiverSettings,
  rawSettingsFromEnv,
  RawReceiverSettings,
  SETTING_ENV_NAMES,
  settingsToEnv,
} from '../../../lambdas/core';
import { testKeyPair } from '../../support/test-keys';

describe('Function: parseReceiverSettings', () => {
  const first = testKeyPair(1024, 'settings-1');
  const second = testKeyPair(1024, 'settings-2');
  const minimal: RawReceiverSettings = { publicKeys: first.publicKeyBase64, accountIds: 'ACME' };

  function problemsOf(raw: RawReceiverSettings): string {
    try {
      parseReceiverSettings(raw);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      return (error as Error).message;
    }
    throw new Error('parseReceiverSettings accepted settings it should have refused');
  }

  it('fills in the defaults around the two required settings', () => {
    // Act
    const settings = parseReceiverSettings(minimal);

    // Assess
    expect(settings).toEqual({
      publicKeys: [expect.objectContaining({ fingerprint: first.parsed.fingerprint, label: 'entry 1' })],
      signaturePolicy: 'prefer-sha512',
      allowList: { accountIds: ['ACME'] },
      unhandledEvents: 'ignore',
      idempotencyExpirySeconds: DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS,
    });
    expect(DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS).toBe(15 * 24 * 3600);
  });

  it('reads every setting from strings, as environment variables carry them', () => {
    // Act
    const settings = parseReceiverSettings({
      publicKeys: `${first.publicKeyBase64},${second.publicKeyBase64}`,
      signaturePolicy: 'require-sha512',
      accountIds: 'ACME, BETA',
      retailerIds: '1,2',
      unhandledEvents: 'fail',
      idempotencyExpirySeconds: '172800',
    });

    // Assess
    expect(settings).toMatchObject({
      signaturePolicy: 'require-sha512',
      allowList: { accountIds: ['ACME', 'BETA'], retailerIds: ['1', '2'] },
      unhandledEvents: 'fail',
      idempotencyExpirySeconds: 172800,
    });
    expect(settings.publicKeys.map((key) => key.fingerprint)).toEqual([
      first.parsed.fingerprint,
      second.parsed.fingerprint,
    ]);
  });

  it('reads lists and numbers as CDK context carries them', () => {
    // Act
    const settings = parseReceiverSettings({
      publicKeys: [first.publicKeyBase64, second.publicKeyPem],
      accountIds: ['ACME', 'BETA'],
      retailerIds: ['7'],
      idempotencyExpirySeconds: MIN_IDEMPOTENCY_EXPIRY_SECONDS,
    });

    // Assess
    expect(settings.publicKeys).toHaveLength(2);
    expect(settings.allowList).toEqual({ accountIds: ['ACME', 'BETA'], retailerIds: ['7'] });
    expect(settings.idempotencyExpirySeconds).toBe(48 * 3600);
  });

  it('admits any account with * (for trying things out)', () => {
    // Act
    const settings = parseReceiverSettings({ ...minimal, accountIds: '*' });

    // Assess
    expect(settings.allowList).toEqual({ accountIds: '*' });
  });

  it.each([
    [
      'no public key',
      { publicKeys: undefined },
      'publicKeys (FLUENT_PUBLIC_KEYS) is missing: give the base64 public key Fluent gave you',
    ],
    ['an unusable public key', { publicKeys: 'not-a-key' }, 'Public key entry 1 (not-a-key): is neither a key'],
    [
      'the same key twice',
      { publicKeys: [first.publicKeyBase64, first.publicKeyPem] },
      'Public key entry 2: is the same key as entry 1',
    ],
    [
      'public keys of the wrong type',
      { publicKeys: 42 },
      'publicKeys (FLUENT_PUBLIC_KEYS) must be a comma-separated string or a list of strings.',
    ],
    [
      'an unknown policy',
      { signaturePolicy: 'md5' },
      'signaturePolicy (SIGNATURE_POLICY) is "md5"; use one of prefer-sha512, require-sha512.',
    ],
    ['no account ids', { accountIds: undefined }, 'accountIds (FLUENT_ACCOUNT_IDS) is required'],
    ['blank account ids', { accountIds: ' , ' }, 'accountIds (FLUENT_ACCOUNT_IDS) is required'],
    [
      '* mixed with account ids',
      { accountIds: '*,ACME' },
      'accountIds (FLUENT_ACCOUNT_IDS) mixes * with account ids; use one or the other.',
    ],
    ['empty retailer ids', { retailerIds: ',' }, 'retailerIds (FLUENT_RETAILER_IDS) is set but empty'],
    [
      'an unknown unhandled-event policy',
      { unhandledEvents: 'drop' },
      'unhandledEvents (UNHANDLED_EVENTS) is "drop"; use one of ignore, fail.',
    ],
    [
      'an expiry below 48 hours',
      { idempotencyExpirySeconds: '3600' },
      'idempotencyExpirySeconds (IDEMPOTENCY_EXPIRY_SECONDS) is "3600"; use a whole number of seconds of at least 172800',
    ],
    ['a fractional expiry', { idempotencyExpirySeconds: 172800.5 }, 'is "172800.5"'],
    ['an expiry that is not a number', { idempotencyExpirySeconds: 'a week' }, 'is "a week"'],
  ])('refuses %s, naming the setting and how to fix it', (_case, change, problem) => {
    // Act
    const message = problemsOf({ ...minimal, ...change } as RawReceiverSettings);

    // Assess
    expect(message).toMatch(/^Invalid receiver configuration:\n {2}- /);
    expect(message).toContain(problem);
  });

  it('reports every problem at once, one per line', () => {
    // Act
    const message = problemsOf({ signaturePolicy: 'x', unhandledEvents: 'y', idempotencyExpirySeconds: '1' });

    // Assess
    const lines = message.split('\n').slice(1);
    expect(lines).toHaveLength(5);
    for (const key of [
      'FLUENT_PUBLIC_KEYS',
      'SIGNATURE_POLICY',
      'FLUENT_ACCOUNT_IDS',
      'UNHANDLED_EVENTS',
      'IDEMPOTENCY_EXPIRY_SECONDS',
    ]) {
      expect(lines.filter((line) => line.includes(key))).toHaveLength(1);
    }
  });
});

describe('Function: rawSettingsFromEnv', () => {
  it('reads each setting from its variable and skips unset or blank ones', () => {
    // Act
    const raw = rawSettingsFromEnv({
      FLUENT_PUBLIC_KEYS: 'k1,k2',
      SIGNATURE_POLICY: 'require-sha512',
      FLUENT_ACCOUNT_IDS: '  ',
      UNHANDLED_EVENTS: '',
      IDEMPOTENCY_EXPIRY_SECONDS: '200000',
      UNRELATED: 'x',
    });

    // Assess
    expect(raw).toEqual({ publicKeys: 'k1,k2', signaturePolicy: 'require-sha512', idempotencyExpirySeconds: '200000' });
  });

  it('knows one variable name per setting', () => {
    // Assess
    expect(new Set(Object.values(SETTING_ENV_NAMES)).size).toBe(Object.keys(SETTING_ENV_NAMES).length);
  });
});

describe('Function: settingsToEnv', () => {
  const first = testKeyPair(1024, 'settings-1');
  const second = testKeyPair(1024, 'settings-2');

  it.each([
    [
      'with retailers',
      { accountIds: 'ACME,BETA', retailerIds: '1,2', signaturePolicy: 'require-sha512', unhandledEvents: 'fail' },
    ],
    ['without retailers, any account', { accountIds: '*' }],
  ])('renders settings the Lambdas read back unchanged (%s)', (_case, rest) => {
    // Prepare
    const settings = parseReceiverSettings({ publicKeys: [first.publicKeyPem, second.publicKeyBase64], ...rest });

    // Act
    const env = settingsToEnv(settings);
    const readBack = parseReceiverSettings(rawSettingsFromEnv(env));

    // Assess
    expect(env[SETTING_ENV_NAMES.publicKeys]).toBe(`${first.publicKeyBase64},${second.publicKeyBase64}`);
    expect({ ...readBack, publicKeys: readBack.publicKeys.map((key) => key.fingerprint) }).toEqual({
      ...settings,
      publicKeys: settings.publicKeys.map((key) => key.fingerprint),
    });
  });

  it('leaves the retailer variable out when any retailer is admitted', () => {
    // Act
    const env = settingsToEnv(parseReceiverSettings({ publicKeys: first.publicKeyBase64, accountIds: 'ACME' }));

    // Assess
    expect(Object.keys(env).sort()).toEqual([
      'FLUENT_ACCOUNT_IDS',
      'FLUENT_PUBLIC_KEYS',
      'IDEMPOTENCY_EXPIRY_SECONDS',
      'SIGNATURE_POLICY',
      'UNHANDLED_EVENTS',
    ]);
  });
});
