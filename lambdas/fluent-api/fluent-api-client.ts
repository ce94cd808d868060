import { FluentGraphQLError } from './fluent-api-errors';
import type { FluentApiSettings, FluentCredentialSource } from './fluent-api-settings';
import { FluentCallObserver, SILENT_OBSERVER } from './fluent-call-observer';
import { CallScope, FluentHttp } from './fluent-http';
import {
  checkOutboundEvent,
  eventFilterQuery,
  eventPage,
  FluentEventFilter,
  FluentEventPage,
  FluentOutboundEvent,
  SendEventOptions,
  SendEventResult,
  sendEventResult,
} from './fluent-outbound-event';
import { FluentTokenInfo, FluentTokens } from './fluent-tokens';
import { Clock, SYSTEM_CLOCK } from './retry-timing';

/** What a handler calls as `context.fluent`. */
export interface FluentApi {
  /**
   * Posts an event to `/api/v4.1/event/async` (default) or `/event/sync` after checking the fields Fluent needs
   * (`name`, `retailerId`, `entityType`, `entityRef` or `entityId`). Resolves with what Fluent answered.
   */
  sendEvent(event: FluentOutboundEvent, options?: SendEventOptions): Promise<SendEventResult>;
  /** Runs a GraphQL query or mutation; resolves with `data`, throws {@link FluentGraphQLError} on `errors`. */
  graphql<TData = Record<string, unknown>>(
    query: string,
    variables?: Readonly<Record<string, unknown>>,
  ): Promise<TData>;
  /** Lists events (`GET /api/v4.1/event`) with Fluent's filters, for reconciliation. */
  getEvents(filter?: FluentEventFilter): Promise<FluentEventPage>;
}

export interface FluentApiClientOptions {
  readonly settings: FluentApiSettings;
  readonly credentials: FluentCredentialSource;
  /**
   * How long one call may take in all, retries and waits included.
   * @default 30_000 (Fluent's SDK allows 30 s for a sync event)
   */
  readonly callTimeoutMs?: number;
  /**
   * HTTP attempts per call, the first included.
   * @default 5
   */
  readonly maxAttempts?: number;
  /**
   * How long one attempt (the answer and its whole body) may take; a slower one is aborted and retried while the
   * call has time left. Keep it above what a sync event's workflow takes, or the event may be sent twice.
   * @default what is left of the call's time (one attempt may use all of it)
   */
  readonly attemptTimeoutMs?: number;
  /** @default the system clock, `setTimeout` and `Math.random` */
  readonly clock?: Clock;
  /** Told about every HTTP attempt. @default none */
  readonly observer?: FluentCallObserver;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** How one invocation bounds its calls. */
export interface InvocationScope {
  /** The Lambda context's `getRemainingTimeInMillis`. */
  readonly remainingTimeMs: () => number;
  /** Told about every HTTP attempt made for this invocation (its log lines carry the event's ids). */
  readonly observer?: FluentCallObserver;
}

export const DEFAULT_CALL_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_ATTEMPTS = 5;
/** Left over from the Lambda's remaining time, so that a call out of time still fails cleanly before Lambda stops. */
export const REMAINING_TIME_RESERVE_MS = 500;

/**
 * The Fluent API client: one per process, sharing its token across calls and warm invocations. Handlers get a
 * {@link FluentApi} view from {@link FluentApiClient.forInvocation}, whose calls also stop in time for the
 * Lambda's deadline. The client itself has only the per-call timeout.
 */
export class FluentApiClient implements FluentApi {
  private readonly http: FluentHttp;
  private readonly tokens: FluentTokens;
  private readonly clock: Clock;
  private readonly callTimeoutMs: number;
  private readonly observer: FluentCallObserver;

  public constructor(options: FluentApiClientOptions) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    this.observer = options.observer ?? SILENT_OBSERVER;
    this.http = new FluentHttp({
      apiUrl: options.settings.apiUrl,
      clock: this.clock,
      maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      attemptTimeoutMs: options.attemptTimeoutMs,
      fetch: options.fetch,
    });
    this.tokens = new FluentTokens(options.settings, options.credentials, this.http, this.clock);
  }

  public sendEvent(event: FluentOutboundEvent, options?: SendEventOptions): Promise<SendEventResult> {
    return this.calls(this.scope()).sendEvent(event, options);
  }

  public graphql<TData = Record<string, unknown>>(
    query: string,
    variables?: Readonly<Record<string, unknown>>,
  ): Promise<TData> {
    return this.calls(this.scope()).graphql<TData>(query, variables);
  }

  public getEvents(filter?: FluentEventFilter): Promise<FluentEventPage> {
    return this.calls(this.scope()).getEvents(filter);
  }

  /** Gets a token (or reuses the one held) and says what Fluent said about it; the token itself is not returned. */
  public async tokenInfo(): Promise<FluentTokenInfo> {
    return (await this.tokens.current(this.scope())).info;
  }

  /** The token itself, for `fluent-webhook fluent token --show-token` only. */
  public async accessToken(): Promise<string> {
    return this.tokens.token(this.scope());
  }

  /** A view whose every call ends before the invocation's remaining time (less a small reserve) runs out. */
  public forInvocation(invocation: InvocationScope): FluentApi {
    const scope = (): CallScope => {
      const scoped = this.scope(invocation.observer);
      const lambdaDeadline = this.clock.now() + invocation.remainingTimeMs() - REMAINING_TIME_RESERVE_MS;
      return { ...scoped, deadline: Math.min(scoped.deadline, lambdaDeadline) };
    };
    return {
      sendEvent: (event, options) => this.calls(scope()).sendEvent(event, options),
      graphql: (query, variables) => this.calls(scope()).graphql(query, variables),
      getEvents: (filter) => this.calls(scope()).getEvents(filter),
    };
  }

  private scope(observer: FluentCallObserver = this.observer): CallScope {
    return { deadline: this.clock.now() + this.callTimeoutMs, observer };
  }

  private calls(scope: CallScope): FluentApi {
    const { http, tokens } = this;
    const json = { 'content-type': 'application/json' };
    return {
      async sendEvent(event, options) {
        checkOutboundEvent(event);
        const mode = options?.mode ?? 'async';
        const answer = await http.request(
          {
            operation: 'sendEvent',
            method: 'POST',
            path: `/api/v4.1/event/${mode}`,
            headers: json,
            body: JSON.stringify(event),
          },
          scope,
          tokens,
        );
        return sendEventResult(answer.body);
      },
      async graphql<TData>(query: string, variables?: Readonly<Record<string, unknown>>) {
        const answer = await http.request(
          {
            operation: 'graphql',
            method: 'POST',
            path: '/graphql',
            headers: json,
            body: JSON.stringify({ query, variables: variables ?? {} }),
          },
          scope,
          tokens,
        );
        const body = (answer.body ?? {}) as { data?: unknown; errors?: unknown };
        if (Array.isArray(body.errors) && body.errors.length > 0) {
          throw new FluentGraphQLError(graphqlMessages(body.errors, http), {
            operation: 'graphql',
            status: answer.status,
            correlationId: answer.correlationId,
            attempts: answer.attempts,
          });
        }
        return body.data as TData;
      },
      async getEvents(filter) {
        const answer = await http.request(
          { operation: 'getEvents', method: 'GET', path: '/api/v4.1/event', query: eventFilterQuery(filter ?? {}) },
          scope,
          tokens,
        );
        return eventPage(answer.body);
      },
    };
  }
}

/** At most this many of a GraphQL answer's error messages go into its error (each bounded and redacted). */
export const MAX_GRAPHQL_MESSAGES = 10;

/** Fluent's GraphQL error messages as an error may carry them: redacted, each bounded, and at most a few. */
function graphqlMessages(errors: readonly unknown[], http: FluentHttp): string[] {
  const messages = errors.slice(0, MAX_GRAPHQL_MESSAGES).map((entry: unknown) => {
    const message = (entry as { message?: unknown } | null)?.message;
    // A non-string entry is quoted by its start only: stringifying all of it could cost as much as the answer.
    const text = typeof message === 'string' ? message : JSON.stringify(entry)?.slice(0, 1000);
    return http.safeText(text) ?? '';
  });
  if (errors.length > MAX_GRAPHQL_MESSAGES) messages.push(`(and ${errors.length - MAX_GRAPHQL_MESSAGES} more)`);
  return messages;
}
