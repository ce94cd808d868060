import { FluentApiEnv } from '../contract/environment';
import { FluentNotConfiguredError } from './fluent-api-errors';

/** Where the client calls and as which account: settings, not secrets. */
export interface FluentApiSettings {
  /** The API base URL without a trailing slash, for example `https://acme.sandbox.api.fluentretail.com`. */
  readonly apiUrl: string;
  /** The Fluent account id, sent in the `fluent.account` header of the token request. */
  readonly account: string;
}

/** The OAuth client and, for the password grant, the user. Never logged, never put in an error. */
export interface FluentCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  /** With a username (and password) the client uses the `password` grant; without, `client_credentials`. */
  readonly username?: string;
  readonly password?: string;
}

/**
 * Where the credentials come from. `load` is called once (cold start) and again with `{ fresh: true }` after
 * Fluent refused a login, so a rotated secret is picked up without a redeploy.
 */
export interface FluentCredentialSource {
  load(options?: { readonly fresh?: boolean }): Promise<FluentCredentials>;
}

type Env = Readonly<Record<string, string | undefined>>;

const text = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

/** The settings from FLUENT_API_URL and FLUENT_API_ACCOUNT; undefined when FLUENT_API_URL is not set. */
export function fluentApiSettingsFromEnv(env: Env): FluentApiSettings | undefined {
  const apiUrl = text(env, FluentApiEnv.API_URL);
  if (apiUrl === undefined) return undefined;
  const account = text(env, FluentApiEnv.ACCOUNT);
  if (account === undefined) {
    throw new FluentNotConfiguredError(
      `${FluentApiEnv.API_URL} is set but ${FluentApiEnv.ACCOUNT} is not: set it to your Fluent account id (the fluent.account header).`,
    );
  }
  return { apiUrl: checkedApiUrl(apiUrl), account };
}

/** Validates a base URL and drops a trailing slash; the message names the setting, never a secret. */
export function checkedApiUrl(apiUrl: string): string {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new FluentNotConfiguredError(
      `${FluentApiEnv.API_URL} is not a URL: use the API base URL, for example https://<account>.sandbox.api.fluentretail.com.`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new FluentNotConfiguredError(`${FluentApiEnv.API_URL} must be an https:// (or, locally, http://) URL.`);
  }
  return apiUrl.replace(/\/+$/, '');
}

/**
 * Credentials from FLUENT_CLIENT_ID, FLUENT_CLIENT_SECRET and optionally FLUENT_USERNAME and FLUENT_PASSWORD
 * (locally and in the CLI). The messages name the variables only.
 */
export function credentialsFromEnv(env: Env): FluentCredentials {
  return checkedCredentials(
    {
      clientId: text(env, FluentApiEnv.CLIENT_ID),
      clientSecret: text(env, FluentApiEnv.CLIENT_SECRET),
      username: text(env, FluentApiEnv.USERNAME),
      password: text(env, FluentApiEnv.PASSWORD),
    },
    {
      clientId: FluentApiEnv.CLIENT_ID,
      clientSecret: FluentApiEnv.CLIENT_SECRET,
      username: FluentApiEnv.USERNAME,
      password: FluentApiEnv.PASSWORD,
    },
  );
}

/** A source that always returns the same credentials (environment variables, tests). */
export function staticCredentials(credentials: FluentCredentials): FluentCredentialSource {
  return { load: async () => credentials };
}

/**
 * Checks that the credentials are complete. `names` says what each field is called where it came from
 * (environment variables, secret keys), so the message tells the user what to set. Values never appear.
 */
export function checkedCredentials(
  raw: Partial<Record<keyof FluentCredentials, unknown>>,
  names: Readonly<Record<keyof FluentCredentials, string>>,
): FluentCredentials {
  const problems: string[] = [];
  const field = (key: keyof FluentCredentials, required: boolean): string | undefined => {
    const value = raw[key];
    if (value === undefined || value === null || value === '') {
      if (required) problems.push(`${names[key]} is missing`);
      return undefined;
    }
    if (typeof value !== 'string') {
      problems.push(`${names[key]} must be a string`);
      return undefined;
    }
    return value;
  };
  const clientId = field('clientId', true);
  const clientSecret = field('clientSecret', true);
  const username = field('username', false);
  const password = field('password', false);
  if ((username === undefined) !== (password === undefined)) {
    problems.push(
      `${names.username} and ${names.password} go together (password grant) or are both left out (client_credentials)`,
    );
  }
  if (problems.length > 0 || clientId === undefined || clientSecret === undefined) {
    throw new FluentNotConfiguredError(`Fluent API credentials are incomplete: ${problems.join('; ')}.`);
  }
  return username === undefined ? { clientId, clientSecret } : { clientId, clientSecret, username, password };
}
