import { FluentApiEnv } from '../contract/environment';
import { FluentApiClient, FluentApiClientOptions } from './fluent-api-client';
import {
  credentialsFromEnv,
  FluentCredentialSource,
  fluentApiSettingsFromEnv,
  staticCredentials,
} from './fluent-api-settings';
import { secretsManagerCredentials } from './secrets-manager-credentials';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The client the consumer's `context.fluent` uses, from its environment: undefined without FLUENT_API_URL.
 * Credentials come from the secret named by FLUENT_API_SECRET_ID (as the stack deploys it, read lazily on the
 * first call) or else from the FLUENT_CLIENT_* variables (local runs). A half-done configuration throws at once.
 */
export function fluentApiClientFromEnv(
  env: Env,
  options: Partial<Omit<FluentApiClientOptions, 'settings' | 'credentials'>> = {},
): FluentApiClient | undefined {
  const settings = fluentApiSettingsFromEnv(env);
  if (settings === undefined) return undefined;
  const secretId = env[FluentApiEnv.SECRET_ID]?.trim();
  const credentials: FluentCredentialSource =
    secretId === undefined || secretId === ''
      ? staticCredentials(credentialsFromEnv(env))
      : secretsManagerCredentials(secretId);
  return new FluentApiClient({ ...options, settings, credentials });
}
