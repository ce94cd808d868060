import { FluentApiError, FluentAuthenticationError, FluentRequestError } from './fluent-api-errors';
import type { FluentApiSettings, FluentCredentialSource, FluentCredentials } from './fluent-api-settings';
import type { BearerTokens, CallScope, FluentHttp } from './fluent-http';
import type { Clock } from './retry-timing';

/** The token endpoint, below the base URL. */
export const TOKEN_PATH = '/oauth/token';
/** The header naming the account on the token request. */
export const ACCOUNT_HEADER = 'fluent.account';
/** Token lifetime assumed when Fluent's answer has no `expires_in` (Fluent's SDK assumes the same). */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;
/** A token is replaced this long before it expires, or after 90% of its life when that is shorter. */
export const TOKEN_REFRESH_MARGIN_MS = 60_000;

/** What the token endpoint told us, for `fluent-webhook fluent token`. */
export interface FluentTokenInfo {
  readonly scope?: string;
  readonly tokenType?: string;
  readonly expiresInSeconds: number;
  readonly grant: 'password' | 'client_credentials' | 'refresh_token';
}

interface HeldToken {
  readonly accessToken: string;
  readonly refreshToken?: string;
  /** When to stop using it (epoch ms): shortly before it expires. */
  readonly replaceAt: number;
  readonly info: FluentTokenInfo;
}

/**
 * Holds one bearer token for all calls (and, kept in module scope, for every invocation of a warm Lambda) until
 * shortly before it expires. Callers arriving while a token is being fetched wait for that one fetch. A token is
 * renewed with its refresh token when it has one, else (or when that fails) by a full login; a refused login
 * reads the credentials again once (a rotated secret) and tries once more. Each step happens at most once per
 * renewal: there is no loop.
 */
export class FluentTokens implements BearerTokens {
  private held?: HeldToken;
  private pending?: Promise<HeldToken>;
  private credentials?: FluentCredentials;

  public constructor(
    private readonly settings: FluentApiSettings,
    private readonly source: FluentCredentialSource,
    private readonly http: FluentHttp,
    private readonly clock: Clock,
  ) {}

  public async token(scope: CallScope): Promise<string> {
    return (await this.current(scope)).accessToken;
  }

  /** The token in use (fetching one when needed) and what Fluent said about it. */
  public async current(scope: CallScope): Promise<HeldToken> {
    const held = this.held;
    if (held !== undefined && this.clock.now() < held.replaceAt) return held;
    this.pending ??= this.renew(held, scope).finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Forgets `token` after Fluent answered 401 to it; a newer token (from a concurrent renewal) is kept. */
  public invalidate(token: string): void {
    if (this.held?.accessToken === token) this.held = { ...this.held, replaceAt: Number.NEGATIVE_INFINITY };
  }

  private async renew(previous: HeldToken | undefined, scope: CallScope): Promise<HeldToken> {
    let renewed: HeldToken | undefined;
    if (previous?.refreshToken !== undefined) {
      // OAuth 2.0 (RFC 6749 section 6) has a confidential client authenticate on refresh too; Fluent's SDK does.
      const { clientId, clientSecret } = await this.loadCredentials(false);
      const refresh = {
        grant_type: 'refresh_token',
        refresh_token: previous.refreshToken,
        client_id: clientId,
        client_secret: clientSecret,
      };
      renewed = await this.grant(refresh, scope).catch(
        // A refresh token is single-use and expires on its own schedule: a refused one means "log in again".
        (error: unknown) => (error instanceof FluentRequestError ? undefined : Promise.reject(error)),
      );
    }
    renewed ??= await this.login(scope);
    this.held = renewed;
    return renewed;
  }

  private async login(scope: CallScope): Promise<HeldToken> {
    try {
      return await this.grant(loginParameters(await this.loadCredentials(false)), scope);
    } catch (error) {
      if (!(error instanceof FluentRequestError)) throw error;
      // Refused: the secret may have been rotated since the cold start. Read it again and try once more.
      try {
        return await this.grant(loginParameters(await this.loadCredentials(true)), scope);
      } catch (again) {
        if (!(again instanceof FluentRequestError)) throw again;
        throw new FluentAuthenticationError(
          `Fluent refused the login (${again.status}${again.fluentMessage === undefined ? '' : `: ${again.fluentMessage}`}): check the client id and secret, the username and password, and the account ${this.settings.account}.`,
          again,
          { cause: again },
        );
      }
    }
  }

  private async loadCredentials(fresh: boolean): Promise<FluentCredentials> {
    if (this.credentials === undefined || fresh) {
      this.credentials = await this.source.load({ fresh });
      const { clientId, clientSecret, username, password } = this.credentials;
      this.http.redact(clientSecret, password, clientId, username);
    }
    return this.credentials;
  }

  private async grant(parameters: Record<string, string>, scope: CallScope): Promise<HeldToken> {
    const answer = await this.http.request(
      {
        operation: 'token',
        method: 'POST',
        path: TOKEN_PATH,
        // In the body, never the URL: a URL ends up in access logs.
        headers: { 'content-type': 'application/x-www-form-urlencoded', [ACCOUNT_HEADER]: this.settings.account },
        body: new URLSearchParams({ ...parameters, scope: 'api' }).toString(),
        // A token endpoint's error text can echo the form back: errors quote its OAuth error code only.
        quotes: 'oauth-error-code',
      },
      scope,
    );
    const body = (answer.body ?? {}) as Record<string, unknown>;
    if (typeof body.access_token !== 'string' || body.access_token === '') {
      throw new FluentApiError('Fluent answered the token request without an access_token.', {
        operation: 'token',
        status: answer.status,
        correlationId: answer.correlationId,
      });
    }
    const refreshToken = typeof body.refresh_token === 'string' ? body.refresh_token : undefined;
    this.http.redact(body.access_token, refreshToken);
    const lifetimeSeconds =
      typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_LIFETIME_SECONDS;
    const lifetimeMs = lifetimeSeconds * 1000;
    return {
      accessToken: body.access_token,
      refreshToken,
      replaceAt: this.clock.now() + lifetimeMs - Math.min(TOKEN_REFRESH_MARGIN_MS, lifetimeMs / 10),
      info: {
        scope: typeof body.scope === 'string' ? body.scope : undefined,
        tokenType: typeof body.token_type === 'string' ? body.token_type : undefined,
        expiresInSeconds: lifetimeSeconds,
        grant: parameters.grant_type as FluentTokenInfo['grant'],
      },
    };
  }
}

function loginParameters(credentials: FluentCredentials): Record<string, string> {
  const client = { client_id: credentials.clientId, client_secret: credentials.clientSecret };
  if (credentials.username === undefined || credentials.password === undefined) {
    return { grant_type: 'client_credentials', ...client };
  }
  return { grant_type: 'password', ...client, username: credentials.username, password: credentials.password };
}
