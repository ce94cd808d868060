// The outbound Fluent API client: what handlers use as `context.fluent`. No AWS SDK here; the Secrets Manager
// credential source is a separate module (`secrets-manager-credentials.ts`) that only the Lambda's entry loads.
export {
  FluentApiClient,
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_MAX_ATTEMPTS,
  REMAINING_TIME_RESERVE_MS,
} from './fluent-api-client';
export type { FluentApi, FluentApiClientOptions, InvocationScope } from './fluent-api-client';
export {
  FluentApiError,
  FluentAuthenticationError,
  FluentEventInvalidError,
  FluentGraphQLError,
  FluentNotConfiguredError,
  FluentRedirectError,
  FluentRequestError,
  FluentResponseTooLargeError,
  FluentTimeoutError,
  FluentUnavailableError,
} from './fluent-api-errors';
export type { FluentCallFacts } from './fluent-api-errors';
export { MAX_MESSAGE_CHARS } from './fluent-redaction';
export { MAX_RESPONSE_BYTES } from './fluent-response-body';
export {
  checkedCredentials,
  credentialsFromEnv,
  fluentApiSettingsFromEnv,
  staticCredentials,
} from './fluent-api-settings';
export type { FluentApiSettings, FluentCredentialSource, FluentCredentials } from './fluent-api-settings';
export type { FluentAttemptRecord, FluentCallObserver } from './fluent-call-observer';
export type {
  FluentEventFilter,
  FluentEventPage,
  FluentOutboundEvent,
  SendEventMode,
  SendEventOptions,
  SendEventResult,
} from './fluent-outbound-event';
export type { FluentTokenInfo } from './fluent-tokens';
export { MIN_RETRY_WAIT_MS, SYSTEM_CLOCK } from './retry-timing';
export type { Clock } from './retry-timing';
