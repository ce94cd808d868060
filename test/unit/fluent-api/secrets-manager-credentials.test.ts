import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { FluentNotConfiguredError } from '../../../lambdas/fluent-api';
import { secretsManagerCredentials } from '../../../lambdas/fluent-api/secrets-manager-credentials';

const SECRET_ID = 'fluent-webhooks/sandbox/fluent-api';

describe('Function: secretsManagerCredentials', () => {
  const secretsManager = mockClient(SecretsManagerClient);
  const client = new SecretsManagerClient({ region: 'eu-west-1' });
  afterEach(() => secretsManager.reset());

  it('reads the secret once, and again only when asked for a fresh copy (rotation)', async () => {
    // Prepare
    secretsManager
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify({ clientId: 'c', clientSecret: 'old' }) })
      .resolves({ SecretString: JSON.stringify({ clientId: 'c', clientSecret: 'new', username: 'u', password: 'p' }) });
    const source = secretsManagerCredentials(SECRET_ID, client);

    // Act
    const first = await source.load();
    const again = await source.load();
    const fresh = await source.load({ fresh: true });

    // Assess
    expect(first).toEqual({ clientId: 'c', clientSecret: 'old' });
    expect(again).toBe(first);
    expect(fresh).toEqual({ clientId: 'c', clientSecret: 'new', username: 'u', password: 'p' });
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(secretsManager.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: SECRET_ID });
  });

  it.each([
    ['not JSON', 'clientSecret-value-123', 'must hold a JSON object'],
    ['missing the secret', JSON.stringify({ clientId: 'c' }), `${SECRET_ID}.clientSecret is missing`],
    [
      'a username without password',
      JSON.stringify({ clientId: 'c', clientSecret: 's3cr3t-value', username: 'u' }),
      'go together',
    ],
  ])('names the problem, never the values, when the secret is %s', async (_case, secretString, problem) => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: secretString });

    // Act
    const error = (await secretsManagerCredentials(SECRET_ID, client)
      .load()
      .catch((thrown: unknown) => thrown)) as Error;

    // Assess
    expect(error).toBeInstanceOf(FluentNotConfiguredError);
    expect(error.message).toContain(problem);
    expect(error.message).not.toContain('s3cr3t-value');
    expect(error.message).not.toContain('clientSecret-value-123');
  });

  it('says which secret could not be read, and tries again on the next call', async () => {
    // Prepare
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))
      .resolves({ SecretString: JSON.stringify({ clientId: 'c', clientSecret: 's' }) });
    const source = secretsManagerCredentials(SECRET_ID, client);

    // Act
    const error = (await source.load().catch((thrown: unknown) => thrown)) as Error;
    const second = await source.load();

    // Assess
    expect(error.message).toContain(`secret ${SECRET_ID} (AccessDeniedException)`);
    expect(second.clientSecret).toBe('s');
  });
});
