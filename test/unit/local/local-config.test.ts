import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigurationError } from '../../../lambdas/core';
import { LOCAL_DEFAULTS, loadLocalConfig, SAMPLE_ACCOUNT_ID } from '../../../tools/local/local-config';
import { useTempDir } from '../../support/temp-dir';
import { testKeyPair } from '../../support/test-keys';

const GOOD_SECRET = 'aGoodSecret_0123456789-abcdefghijklmn';

describe('Function: loadLocalConfig', () => {
  const temp = useTempDir();
  let dirs = 0;
  const freshDataDir = (): string => temp.path(`data-${++dirs}`);

  it("works with no configuration at all: test key pair, generated secret, the samples' account and the stack's defaults", async () => {
    // Prepare
    const dataDir = freshDataDir();

    // Act
    const config = await loadLocalConfig({ LOCAL_DATA_DIR: dataDir });

    // Assess
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      dataDir,
      batchSize: 10,
      maxReceiveCount: 5,
      visibilityTimeoutSeconds: LOCAL_DEFAULTS.visibilityTimeoutSeconds,
      consumerTimeoutSeconds: 30,
      ingress: 'verify-first',
      ordering: 'unordered',
      pathSecret: { source: 'generated' },
      localKeyPair: { created: true },
      settings: { allowList: { accountIds: [SAMPLE_ACCOUNT_ID] }, signaturePolicy: 'prefer-sha512' },
    });
    expect(config.pathSecret.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(config.settings.publicKeys).toHaveLength(1);
    expect(existsSync(config.localKeyPair?.privateKeyPath ?? '')).toBe(true);
    expect(config.notices).toEqual([
      expect.stringContaining('FLUENT_PUBLIC_KEYS is not set'),
      expect.stringContaining(`accepting events for the sample account ${SAMPLE_ACCOUNT_ID} only`),
    ]);
  });

  it.each(['queue-first', 'verify-first'])('takes INGRESS=%s', async (ingress) => {
    // Act
    const config = await loadLocalConfig({ LOCAL_DATA_DIR: freshDataDir(), INGRESS: ingress });

    // Assess
    expect(config.ingress).toBe(ingress);
  });

  it('refuses a de-duplication window shorter than the 14 days the local queues keep a message', async () => {
    // Act
    const loading = loadLocalConfig({ LOCAL_DATA_DIR: freshDataDir(), IDEMPOTENCY_EXPIRY_SECONDS: '604800' });

    // Assess
    await expect(loading).rejects.toThrow(/IDEMPOTENCY_EXPIRY_SECONDS is 604800 s, .*Use at least 1296000 s/);
  });

  it('refuses an unknown INGRESS, naming both modes', async () => {
    // Act
    const loading = loadLocalConfig({ LOCAL_DATA_DIR: freshDataDir(), INGRESS: 'queue_first' });

    // Assess
    await expect(loading).rejects.toThrow('INGRESS is "queue_first"; use verify-first or queue-first.');
  });

  it('takes ORDERING=per-entity', async () => {
    // Act
    const config = await loadLocalConfig({ LOCAL_DATA_DIR: freshDataDir(), ORDERING: 'per-entity' });

    // Assess
    expect(config.ordering).toBe('per-entity');
  });

  it('refuses an unknown ORDERING, and per-entity with queue-first, naming the variable', async () => {
    // Act / Assess
    await expect(loadLocalConfig({ LOCAL_DATA_DIR: freshDataDir(), ORDERING: 'fifo' })).rejects.toThrow(
      'ORDERING is "fifo"; use unordered or per-entity.',
    );
    await expect(
      loadLocalConfig({ LOCAL_DATA_DIR: freshDataDir(), ORDERING: 'per-entity', INGRESS: 'queue-first' }),
    ).rejects.toThrow(/ORDERING is per-entity, which queue-first cannot do/);
  });

  it('keeps the generated secret and key pair for the next start', async () => {
    // Prepare
    const dataDir = freshDataDir();
    const first = await loadLocalConfig({ LOCAL_DATA_DIR: dataDir });

    // Act
    const second = await loadLocalConfig({ LOCAL_DATA_DIR: dataDir });

    // Assess
    expect(second.pathSecret).toEqual({ secret: first.pathSecret.secret, source: 'data-folder' });
    expect(second.localKeyPair?.created).toBe(false);
    expect(second.settings.publicKeys[0]?.fingerprint).toBe(first.settings.publicKeys[0]?.fingerprint);
  });

  it('uses the configured keys, secret, accounts and numbers, and creates no key pair', async () => {
    // Prepare
    const dataDir = freshDataDir();
    const keys = testKeyPair(1024, 'local-config');

    // Act
    const config = await loadLocalConfig({
      LOCAL_DATA_DIR: dataDir,
      FLUENT_PUBLIC_KEYS: keys.publicKeyBase64,
      WEBHOOK_PATH_SECRET: GOOD_SECRET,
      FLUENT_ACCOUNT_IDS: 'ACME, OTHER',
      SIGNATURE_POLICY: 'require-sha512',
      PORT: '0',
      BATCH_SIZE: '25',
      VISIBILITY_TIMEOUT_SECONDS: '180',
      MAX_RECEIVE_COUNT: '3',
      CONSUMER_TIMEOUT_SECONDS: '900',
      LOCAL_HANDLERS_MODULE: 'test/handlers.ts',
    });

    // Assess
    expect(config).toMatchObject({
      port: 0,
      batchSize: 25,
      visibilityTimeoutSeconds: 180,
      maxReceiveCount: 3,
      consumerTimeoutSeconds: 900,
      pathSecret: { secret: GOOD_SECRET, source: 'env' },
      settings: { allowList: { accountIds: ['ACME', 'OTHER'] }, signaturePolicy: 'require-sha512' },
      notices: [],
    });
    expect(config.handlersModule).toEqual({ path: resolve('test/handlers.ts'), setBy: 'LOCAL_HANDLERS_MODULE' });
    expect(config.localKeyPair).toBeUndefined();
    expect(existsSync(join(dataDir, 'keys'))).toBe(false);
  });

  it('warns when any account is allowed with *', async () => {
    // Act
    const config = await loadLocalConfig({ LOCAL_DATA_DIR: freshDataDir(), FLUENT_ACCOUNT_IDS: '*' });

    // Assess
    expect(config.settings.allowList.accountIds).toBe('*');
    expect(config.notices).toContainEqual(expect.stringContaining('events for ANY Fluent account are accepted'));
  });

  it('lists every problem in one ConfigurationError', async () => {
    // Act
    const loading = loadLocalConfig({
      LOCAL_DATA_DIR: freshDataDir(),
      PORT: '70000',
      BATCH_SIZE: 'ten',
      MAX_RECEIVE_COUNT: '0',
      VISIBILITY_TIMEOUT_SECONDS: '0',
      CONSUMER_TIMEOUT_SECONDS: '901',
      WEBHOOK_PATH_SECRET: 'short',
      SIGNATURE_POLICY: 'md5-only',
    });

    // Assess
    await expect(loading).rejects.toThrow(ConfigurationError);
    await expect(loading).rejects.toThrow(
      expect.objectContaining({
        message: expect.stringMatching(
          /PORT is "70000"[\s\S]*BATCH_SIZE is "ten"[\s\S]*VISIBILITY_TIMEOUT_SECONDS is "0"[\s\S]*MAX_RECEIVE_COUNT is "0"[\s\S]*CONSUMER_TIMEOUT_SECONDS is "901"[\s\S]*WEBHOOK_PATH_SECRET is 5 characters[\s\S]*SIGNATURE_POLICY is "md5-only"/,
        ),
      }),
    );
    // Assess: npm start names its environment variables, never the stack's context keys or -c.
    await expect(loading).rejects.toThrow(
      expect.objectContaining({ message: expect.not.stringMatching(/-c |pathSecret|signaturePolicy/) }),
    );
  });
});
