import { randomUUID } from 'node:crypto';
import {
  FluentApiError,
  FluentAuthenticationError,
  FluentCallFacts,
  FluentRedirectError,
  FluentRequestError,
  FluentResponseTooLargeError,
  FluentTimeoutError,
  FluentUnavailableError,
} from './fluent-api-errors';
import type { FluentAttemptRecord, FluentCallObserver } from './fluent-call-observer';
import { Redactions } from './fluent-redaction';
import { discardBody, MAX_RESPONSE_BYTES, readBoundedBody, ResponseTooLarge } from './fluent-response-body';
import { backoffMs, Clock, retryAfterMs } from './retry-timing';

/** A call to Fluent, before the base URL, the token and the correlation id are added. */
export interface FluentRequest {
  readonly operation: string;
  readonly method: 'GET' | 'POST';
  /** Below the base URL, for example `/api/v4.1/event/async`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /**
   * What of a refusal's body an error may quote: Fluent's `message` (API calls), or only an OAuth error code such
   * as `invalid_grant` (the token endpoint, whose error text may echo the login form back).
   * @default 'message'
   */
  readonly quotes?: 'message' | 'oauth-error-code';
}

/** Fluent's answer: status, headers and the body (parsed JSON, else the text). */
export interface FluentAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly correlationId: string;
  readonly attempts: number;
}

/** The limits and the observer of one call (and of the token request it may need). */
export interface CallScope {
  /** Epoch ms after which nothing is sent and nothing is waited for. */
  readonly deadline: number;
  readonly observer: FluentCallObserver;
}

/** Bearer tokens for authenticated calls; `invalidate` after a 401 so the next `token` gets a new one. */
export interface BearerTokens {
  token(scope: CallScope): Promise<string>;
  invalidate(token: string): void;
}

export interface FluentHttpOptions {
  readonly apiUrl: string;
  readonly clock: Clock;
  /** At most this many HTTP attempts per call, the first included. */
  readonly maxAttempts: number;
  /**
   * One attempt (the answer and its whole body) may take this long; a slower one is aborted and, while the call
   * has time left, retried. @default what is left of the call's time
   */
  readonly attemptTimeoutMs?: number;
  /** `fetch` to use (tests pass a wrapped one). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** Fluent's correlation header, which it may echo; we always send our own so every error can name one. */
export const CORRELATION_HEADER = 'x-correlation-id';
/** An OAuth error code (RFC 6749 section 5.2 names them so): the only text of a token refusal an error quotes. */
const OAUTH_ERROR_CODE = /^[a-z][a-z_]{0,39}$/;
/** A `Location` host longer than this is cut in the error (a DNS name has at most 253 characters). */
const MAX_HOST_CHARS = 260;

/** What one attempt got back: the answer and its body, read in full within the limit (none for a redirect). */
interface Exchange {
  readonly response: Response;
  readonly body: unknown;
}

/**
 * Sends requests to Fluent with retries: 429 (waiting as `Retry-After` says, never less than the backoff), 5xx,
 * network errors and an attempt's own timeout back off exponentially with jitter; a 401 on an authenticated call
 * gets one new token and one more try; a redirect (never followed), an answer larger than
 * {@link MAX_RESPONSE_BYTES} and every other 4xx throw at once. Nothing waits past `deadline`: a wait or an attempt
 * that would outlive it ends the call with {@link FluentTimeoutError}.
 */
export class FluentHttp {
  private readonly redactions = new Redactions();
  private readonly fetch: typeof fetch;

  public constructor(private readonly options: FluentHttpOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** Values (credentials, tokens) to cut, in every encoding, out of any text from Fluent before it reaches an error. */
  public redact(...values: ReadonlyArray<string | undefined>): void {
    this.redactions.add(...values);
  }

  /** Text from an answer as an error may carry it: without any held credential or token, and bounded. */
  public safeText(text: string | undefined): string | undefined {
    return this.redactions.scrub(text);
  }

  public async request(request: FluentRequest, scope: CallScope, tokens?: BearerTokens): Promise<FluentAnswer> {
    const { clock, maxAttempts } = this.options;
    const { deadline, observer } = scope;
    const correlationId: string = randomUUID();
    let retries = 0;
    let refreshed = false;
    for (let attempt = 1; ; attempt += 1) {
      const facts = { operation: request.operation, correlationId, attempts: attempt };
      const token = tokens === undefined ? undefined : await tokens.token(scope);
      const started = clock.now();
      const record = (status: string, next: FluentAttemptRecord['next'], id = correlationId): void =>
        observer.attempt({
          operation: request.operation,
          status,
          attempt,
          durationMs: clock.now() - started,
          next,
          correlationId: id,
        });
      const remaining = deadline - started;
      if (remaining <= 0) throw this.outOfTime(facts, undefined);
      const attemptMs = Math.min(remaining, this.options.attemptTimeoutMs ?? remaining);

      let exchange: Exchange;
      try {
        exchange = await this.exchange(request, correlationId, token, attemptMs);
      } catch (error) {
        if (error instanceof ResponseTooLarge) {
          record(String(error.status), 'fail');
          throw new FluentResponseTooLargeError(
            `Fluent ${request.operation} answered ${error.status} with more than ${error.limitBytes} bytes, the most the client reads: the read was stopped.`,
            { ...facts, status: error.status, limitBytes: error.limitBytes },
          );
        }
        const timedOut = isTimeout(error);
        // The call's own time (not only this attempt's) ran out: there is none left to retry in.
        if (clock.now() >= deadline || (timedOut && attemptMs >= remaining)) {
          record('timeout', 'fail');
          throw this.outOfTime(facts, undefined, error);
        }
        // No answer (connection refused or reset), or no complete one within the attempt's time: as retryable as
        // a 503.
        const kind = timedOut ? 'timeout' : 'network';
        const wait = backoffMs(retries + 1, clock.random);
        if (attempt >= maxAttempts || clock.now() + wait >= deadline) {
          record(kind, 'fail');
          if (attempt < maxAttempts) throw this.outOfTime(facts, undefined, error);
          throw timedOut
            ? new FluentTimeoutError(
                `Fluent ${request.operation} gave no complete answer within ${attemptMs} ms in any of ${attempt} attempt(s). The event fails and is retried later.`,
                facts,
                { cause: error },
              )
            : new FluentUnavailableError(
                `Fluent ${request.operation} failed: no answer after ${attempt} attempt(s) (${this.describe(error)}).`,
                facts,
                { cause: error },
              );
        }
        record(kind, 'retry');
        retries += 1;
        await clock.sleep(wait);
        continue;
      }

      const { response, body } = exchange;
      const answeredId = this.safeText(response.headers.get(CORRELATION_HEADER) ?? undefined) ?? correlationId;
      const status = response.status;
      if (status >= 200 && status < 300) {
        record(String(status), 'done', answeredId);
        return { status, headers: response.headers, body, correlationId: answeredId, attempts: attempt };
      }
      if (status >= 300 && status < 400) {
        const locationHost = this.locationHost(response.headers.get('location'), request);
        record(String(status), 'fail', answeredId);
        throw new FluentRedirectError(
          `Fluent ${request.operation} answered ${status}, a redirect to ${locationHost}: the client never follows redirects (one could carry credentials or an event to another host). Use the API's own https:// base URL as the Fluent API URL.`,
          { ...facts, correlationId: answeredId, status, locationHost },
        );
      }
      const failed: FluentCallFacts = {
        ...facts,
        correlationId: answeredId,
        status,
        fluentMessage: this.safeText(quotedText(body, request.quotes ?? 'message')),
      };
      if (status === 401 && tokens !== undefined && token !== undefined) {
        if (refreshed) {
          record('401', 'fail', answeredId);
          throw new FluentAuthenticationError(
            `Fluent ${request.operation} was refused (401) with a freshly issued token: check the user's roles for this account.`,
            failed,
          );
        }
        record('401', 'refresh-token', answeredId);
        refreshed = true;
        tokens.invalidate(token);
        continue;
      }
      if (status === 429 || status >= 500) {
        // Whatever Retry-After says (0, -1, a date gone by), never less than the backoff: no burst of retries.
        const told = status === 429 ? retryAfterMs(response.headers.get('retry-after'), clock.now()) : undefined;
        const wait = Math.max(told ?? 0, backoffMs(retries + 1, clock.random));
        if (attempt >= maxAttempts) {
          record(String(status), 'fail', answeredId);
          throw new FluentUnavailableError(
            `Fluent ${request.operation} answered ${status} on all ${attempt} attempt(s)${suffix(failed.fluentMessage)}.`,
            failed,
          );
        }
        if (clock.now() + wait >= deadline) {
          record(String(status), 'fail', answeredId);
          throw this.outOfTime(failed, wait);
        }
        record(String(status), 'retry', answeredId);
        retries += 1;
        await clock.sleep(wait);
        continue;
      }
      record(String(status), 'fail', answeredId);
      throw new FluentRequestError(
        `Fluent refused ${request.operation} with ${status}${suffix(failed.fluentMessage)}.`,
        failed,
      );
    }
  }

  /** One HTTP attempt: the request, then its whole body, both within `timeoutMs`. */
  private async exchange(
    request: FluentRequest,
    correlationId: string,
    token: string | undefined,
    timeoutMs: number,
  ): Promise<Exchange> {
    const response = await this.fetch(this.url(request), {
      method: request.method,
      headers: {
        accept: 'application/json',
        [CORRELATION_HEADER]: correlationId,
        ...request.headers,
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: request.body,
      // Never follow: fetch would send the body (the login form, an event) again, to whatever host it names.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status >= 300 && response.status < 400) {
      await discardBody(response);
      return { response, body: undefined };
    }
    return { response, body: await readBoundedBody(response, MAX_RESPONSE_BYTES) };
  }

  private url(request: FluentRequest): string {
    const url = new URL(`${this.options.apiUrl}${request.path}`);
    for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
    return url.toString();
  }

  /** The host a redirect points at, never its path or query (they may hold anything). */
  private locationHost(location: string | null, request: FluentRequest): string {
    if (location === null) return '(no Location header)';
    try {
      const host = new URL(location, this.url(request)).host;
      return host.length > MAX_HOST_CHARS ? `${host.slice(0, MAX_HOST_CHARS)}…` : host;
    } catch {
      return '(an unreadable Location header)';
    }
  }

  private outOfTime(facts: FluentCallFacts, waitMs: number | undefined, cause?: unknown): FluentApiError {
    const why =
      waitMs === undefined
        ? 'ran out of time'
        : `would have to wait ${waitMs} ms before retrying (after ${facts.status}), past its time limit`;
    return new FluentTimeoutError(
      `Fluent ${facts.operation} ${why}: the per-call timeout or the Lambda's remaining time. The event fails and is retried later.`,
      facts,
      cause === undefined ? undefined : { cause },
    );
  }

  private describe(error: unknown): string {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return this.safeText(cause?.code ?? cause?.message ?? (error as Error).message ?? String(error)) ?? '';
  }
}

/** The text of a refusal an error may quote. */
function quotedText(body: unknown, quotes: NonNullable<FluentRequest['quotes']>): string | undefined {
  if (quotes === 'message') return fluentMessageOf(body);
  const code = (body as { error?: unknown } | undefined)?.error;
  return typeof code === 'string' && OAUTH_ERROR_CODE.test(code) ? code : undefined;
}

/** Fluent's message in an error body: `message`, OAuth's `error_description`/`error`, or GraphQL's first error. */
function fluentMessageOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (typeof body !== 'object' || body === null) return undefined;
  const fields = body as Record<string, unknown>;
  for (const key of ['message', 'error_description', 'error']) {
    if (typeof fields[key] === 'string') return fields[key];
  }
  const errors = fields.errors;
  if (Array.isArray(errors) && typeof (errors[0] as { message?: unknown })?.message === 'string') {
    return (errors[0] as { message: string }).message;
  }
  return undefined;
}

/** An aborted fetch rejects with a DOMException, which is not an `Error` in every realm (jest's, for one). */
function isTimeout(error: unknown): boolean {
  const name = (error as { name?: unknown } | undefined)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

function suffix(message: string | undefined): string {
  return message === undefined ? '' : `: ${message}`;
}
