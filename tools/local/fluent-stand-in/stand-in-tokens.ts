import { randomBytes } from 'node:crypto';
import type { FluentCredentials } from '../../../lambdas/fluent-api';

/** The stand-in's answer to a token request: a status and an OAuth-style JSON body. */
export interface TokenAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * Issues and checks the stand-in's short-lived tokens the way Fluent's token endpoint does: the client, and for the
 * `password` grant the user; refresh tokens are single-use. Like Fluent, it takes the account from the host name, so
 * the `fluent.account` header is optional (Fluent's own SDK never sends it) but must name this account when sent,
 * and `scope` is optional (the SDK's refresh sends none) but must be `api` when sent.
 */
export class StandInTokens {
  private readonly accessTokens = new Map<string, number>();
  private readonly refreshTokens = new Set<string>();
  public issued = 0;

  public constructor(
    private readonly account: string,
    private readonly client: FluentCredentials,
    private readonly lifetimeSeconds: number,
    private readonly now: () => number,
  ) {}

  /** Answers `POST /oauth/token` with the form parameters of its body and its `fluent.account` header. */
  public grant(parameters: URLSearchParams, accountHeader: string | undefined): TokenAnswer {
    const refuse = (status: number, error: string, description: string): TokenAnswer => ({
      status,
      body: { error, error_description: description },
    });
    if (accountHeader !== undefined && accountHeader !== this.account) {
      return refuse(400, 'invalid_request', 'The fluent.account header names another account.');
    }
    const scope = parameters.get('scope');
    if (scope !== null && scope !== 'api') return refuse(400, 'invalid_scope', 'Ask for scope=api, or leave it out.');
    const grantType = parameters.get('grant_type');
    if (grantType === 'refresh_token') {
      const clientId = parameters.get('client_id');
      if (clientId !== null && clientId !== this.client.clientId) {
        return refuse(401, 'invalid_client', 'Bad client credentials');
      }
      const refreshToken = parameters.get('refresh_token') ?? '';
      if (!this.refreshTokens.delete(refreshToken)) {
        return refuse(400, 'invalid_grant', 'Invalid refresh token (they are single-use and expire).');
      }
      return this.issue();
    }
    if (
      parameters.get('client_id') !== this.client.clientId ||
      parameters.get('client_secret') !== this.client.clientSecret
    ) {
      return refuse(401, 'invalid_client', 'Bad client credentials');
    }
    if (grantType === 'client_credentials') return this.issue();
    if (grantType === 'password') {
      if (parameters.get('username') !== this.client.username || parameters.get('password') !== this.client.password) {
        return refuse(400, 'invalid_grant', 'Bad credentials');
      }
      return this.issue();
    }
    return refuse(400, 'unsupported_grant_type', 'Use the password, client_credentials or refresh_token grant.');
  }

  /** Whether an `Authorization` header carries a token this stand-in issued that has not expired. */
  public accepts(authorization: string | undefined): boolean {
    const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    const expiresAt = token === undefined ? undefined : this.accessTokens.get(token);
    return expiresAt !== undefined && this.now() < expiresAt;
  }

  /** Revokes every access token (the `unauthorized` fault makes the client fetch a new one). */
  public revokeAll(): void {
    this.accessTokens.clear();
  }

  private issue(): TokenAnswer {
    const accessToken = randomBytes(24).toString('base64url');
    const refreshToken = randomBytes(24).toString('base64url');
    this.accessTokens.set(accessToken, this.now() + this.lifetimeSeconds * 1000);
    this.refreshTokens.add(refreshToken);
    this.issued += 1;
    return {
      status: 200,
      body: {
        access_token: accessToken,
        token_type: 'bearer',
        expires_in: this.lifetimeSeconds,
        refresh_token: refreshToken,
        scope: 'api',
      },
    };
  }
}
