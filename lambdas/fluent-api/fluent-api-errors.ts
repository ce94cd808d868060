import { FluentWebhookError } from '../core/errors';

/** What every Fluent API error says about the call that failed. None of it is a credential or a token. */
export interface FluentCallFacts {
  /** The client's name for the call: `sendEvent`, `graphql`, `getEvents` or `token`. */
  readonly operation: string;
  /** The HTTP status of the last answer; undefined when no answer came (network error, timeout). */
  readonly status?: number;
  /** Fluent's own message from the answer's body, shortened and with any configured credential removed. */
  readonly fluentMessage?: string;
  /** The correlation id sent with the request (or the one Fluent answered with): quote it to Fluent support. */
  readonly correlationId?: string;
  /** How many HTTP attempts the call made. */
  readonly attempts?: number;
}

/** Root of every error the Fluent API client throws: catch this to handle any failed Fluent call. */
export class FluentApiError extends FluentWebhookError {
  /** {@inheritDoc FluentCallFacts.operation} */
  public readonly operation: string;
  /** {@inheritDoc FluentCallFacts.status} */
  public readonly status?: number;
  /** {@inheritDoc FluentCallFacts.fluentMessage} */
  public readonly fluentMessage?: string;
  /** {@inheritDoc FluentCallFacts.correlationId} */
  public readonly correlationId?: string;
  /** {@inheritDoc FluentCallFacts.attempts} */
  public readonly attempts?: number;

  public constructor(message: string, facts: FluentCallFacts, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FluentApiError';
    this.operation = facts.operation;
    this.status = facts.status;
    this.fluentMessage = facts.fluentMessage;
    this.correlationId = facts.correlationId;
    this.attempts = facts.attempts;
  }
}

/** Thrown when Fluent refuses the request itself (a 4xx other than 401 and 429): retrying would not help. */
export class FluentRequestError extends FluentApiError {
  public constructor(message: string, facts: FluentCallFacts, options?: ErrorOptions) {
    super(message, facts, options);
    this.name = 'FluentRequestError';
  }
}

/** Thrown when Fluent refuses the credentials (after re-reading them once), or keeps answering 401 to a fresh token. */
export class FluentAuthenticationError extends FluentApiError {
  public constructor(message: string, facts: FluentCallFacts, options?: ErrorOptions) {
    super(message, facts, options);
    this.name = 'FluentAuthenticationError';
  }
}

/** Thrown when Fluent kept answering 429 or 5xx, or could not be reached, on every attempt allowed. */
export class FluentUnavailableError extends FluentApiError {
  public constructor(message: string, facts: FluentCallFacts, options?: ErrorOptions) {
    super(message, facts, options);
    this.name = 'FluentUnavailableError';
  }
}

/** Thrown when the call's time (its own timeout, or what is left of the Lambda invocation) ran out first. */
export class FluentTimeoutError extends FluentApiError {
  public constructor(message: string, facts: FluentCallFacts, options?: ErrorOptions) {
    super(message, facts, options);
    this.name = 'FluentTimeoutError';
  }
}

/**
 * Thrown when Fluent answers a redirect (any 3xx). The client never follows one: a redirect could carry the login
 * form, a token or an event to another host. Never retried. `locationHost` is the host the answer pointed at (never
 * its path or query).
 */
export class FluentRedirectError extends FluentApiError {
  /** The host the redirect pointed at (never its path or query); undefined when it named none. */
  public readonly locationHost?: string;

  public constructor(message: string, facts: FluentCallFacts & { readonly locationHost?: string }) {
    super(message, facts);
    this.name = 'FluentRedirectError';
    this.locationHost = facts.locationHost;
  }
}

/** Thrown when an answer is larger than the client reads (`MAX_RESPONSE_BYTES`); the read was stopped there. */
export class FluentResponseTooLargeError extends FluentApiError {
  /** The most the client reads of one answer, in bytes. */
  public readonly limitBytes: number;

  public constructor(message: string, facts: FluentCallFacts & { readonly limitBytes: number }) {
    super(message, facts);
    this.name = 'FluentResponseTooLargeError';
    this.limitBytes = facts.limitBytes;
  }
}

/** Thrown when a GraphQL answer carries `errors`; `messages` holds Fluent's messages. */
export class FluentGraphQLError extends FluentApiError {
  /** The GraphQL errors' messages (at most 10), redacted and shortened like `fluentMessage`. */
  public readonly messages: readonly string[];

  public constructor(messages: readonly string[], facts: FluentCallFacts) {
    super(`Fluent GraphQL answered with errors: ${messages.join('; ')}`, { ...facts, fluentMessage: messages[0] });
    this.name = 'FluentGraphQLError';
    this.messages = messages;
  }
}

/** Thrown before sending when an event lacks a field Fluent needs; nothing was sent. */
export class FluentEventInvalidError extends FluentApiError {
  public constructor(message: string) {
    super(message, { operation: 'sendEvent' });
    this.name = 'FluentEventInvalidError';
  }
}

/** Thrown when a handler uses `context.fluent` but no Fluent API settings are configured. */
export class FluentNotConfiguredError extends FluentApiError {
  public constructor(message: string) {
    super(message, { operation: 'configure' });
    this.name = 'FluentNotConfiguredError';
  }
}
