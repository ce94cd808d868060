import { randomUUID } from 'node:crypto';
import {
  FluentApiError,
  FluentAuthenticationError,
  FluentCallFacts,
  FluentRequestError,
  FluentTimeoutError,
  FluentUnavailableError,
} from './fluent-api-errors';
import type { FluentAttemptRecord, FluentCallObserver } from './fluent-call-observer';
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
  /** `fetch` to use (tests pass a wrapped one). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** Fluent's correlation header, which it may echo; we always send our own so every error can name one. */
export const CORRELATION_HEADER = 'x-correlation-id';
/** Fluent's message in an error, at most this long. */
const MAX_MESSAGE_CHARS = 300;
const REDACTED = '[redacted]';

/**
 * Sends requests to Fluent with retries: 429 (waiting as `Retry-After` says), 5xx and network errors back off
 * exponentially with jitter; a 401 on an authenticated call gets one new token and one more try; every other
 * 4xx throws at once. Nothing waits past `deadline`: a wait or an attempt that would outlive it ends the call
 * with {@link FluentTimeoutError}.
 */
export class FluentHttp {
  private readonly redactions = new Set<string>();
  private readonly fetch: typeof fetch;

  public constructor(private readonly options: FluentHttpOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** Values (credentials, tokens) to cut out of any Fluent message before it reaches an error. */
  public redact(...values: ReadonlyArray<string | undefined>): void {
    for (const value of values) if (value !== undefined && value.length >= 4) this.redactions.add(value);
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

      let response: Response;
      try {
        response = await this.fetch(this.url(request), {
          method: request.method,
          headers: {
            accept: 'application/json',
            [CORRELATION_HEADER]: correlationId,
            ...request.headers,
            ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
          },
          body: request.body,
          signal: AbortSignal.timeout(remaining),
        });
      } catch (error) {
        if (clock.now() >= deadline || isTimeout(error)) {
          record('timeout', 'fail');
          throw this.outOfTime(facts, undefined, error);
        }
        // No answer at all (connection refused or reset): as retryable as a 503.
        const wait = backoffMs(retries + 1, clock.random);
        if (attempt >= maxAttempts || clock.now() + wait >= deadline) {
          record('network', 'fail');
          throw attempt >= maxAttempts
            ? new FluentUnavailableError(
                `Fluent ${request.operation} failed: no answer after ${attempt} attempt(s) (${describe(error)}).`,
                facts,
                { cause: error },
              )
            : this.outOfTime(facts, undefined, error);
        }
        record('network', 'retry');
        retries += 1;
        await clock.sleep(wait);
        continue;
      }

      const body = await readBody(response);
      const answeredId = response.headers.get(CORRELATION_HEADER) ?? correlationId;
      const status = response.status;
      const failed: FluentCallFacts = {
        ...facts,
        correlationId: answeredId,
        status,
        fluentMessage: this.scrub(fluentMessageOf(body)),
      };
      if (status >= 200 && status < 300) {
        record(String(status), 'done', answeredId);
        return { status, headers: response.headers, body, correlationId: answeredId, attempts: attempt };
      }
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
        const wait =
          (status === 429 ? retryAfterMs(response.headers.get('retry-after'), clock.now()) : undefined) ??
          backoffMs(retries + 1, clock.random);
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

  private url(request: FluentRequest): string {
    const url = new URL(`${this.options.apiUrl}${request.path}`);
    for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
    return url.toString();
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

  private scrub(message: string | undefined): string | undefined {
    if (message === undefined) return undefined;
    let text = message;
    for (const secret of this.redactions) text = text.split(secret).join(REDACTED);
    return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
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

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

function suffix(message: string | undefined): string {
  return message === undefined ? '' : `: ${message}`;
}
