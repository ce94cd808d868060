import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { FluentNotConfiguredError } from './fluent-api-errors';
import { checkedCredentials, FluentCredentialSource, FluentCredentials } from './fluent-api-settings';

/** The keys of the secret's JSON, as the docs and the error messages name them. */
const SECRET_KEYS = {
  clientId: 'clientId',
  clientSecret: 'clientSecret',
  username: 'username',
  password: 'password',
} as const;

/**
 * Credentials from one Secrets Manager secret (JSON: `clientId`, `clientSecret`, optionally `username` and
 * `password`, and `account`, which the stack passes as a setting). Read on the first call (the cold start), kept,
 * and read again only when asked for a fresh copy after Fluent refused a login (the secret was rotated).
 * Errors name the secret and the keys, never a value.
 */
export function secretsManagerCredentials(
  secretId: string,
  client: Pick<SecretsManagerClient, 'send'> = new SecretsManagerClient({}),
): FluentCredentialSource {
  let cached: Promise<FluentCredentials> | undefined;
  const read = async (): Promise<FluentCredentials> => {
    let text: string | undefined;
    try {
      text = (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
    } catch (error) {
      throw new FluentNotConfiguredError(
        `Could not read the Fluent API credentials from secret ${secretId} (${(error as Error).name}): check that it exists and that the consumer may read it.`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text ?? '');
    } catch {
      json = undefined;
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new FluentNotConfiguredError(
        `Secret ${secretId} must hold a JSON object with ${SECRET_KEYS.clientId} and ${SECRET_KEYS.clientSecret} (and ${SECRET_KEYS.username}/${SECRET_KEYS.password} for the password grant).`,
      );
    }
    return checkedCredentials(json as Record<string, unknown>, {
      clientId: `${secretId}.${SECRET_KEYS.clientId}`,
      clientSecret: `${secretId}.${SECRET_KEYS.clientSecret}`,
      username: `${secretId}.${SECRET_KEYS.username}`,
      password: `${secretId}.${SECRET_KEYS.password}`,
    });
  };
  return {
    load: (options) => {
      if (cached === undefined || options?.fresh === true) {
        cached = read();
        // A failed read is not kept: the next call tries again.
        cached.catch(() => (cached = undefined));
      }
      return cached;
    },
  };
}
