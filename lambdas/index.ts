// The package's main entry, `fluent-webhook-receiver`: the verifier library (no AWS SDK, no CDK) and the types a
// handlers module is written against. An explicit list, so that what a user can import is a decision: everything
// else under lambdas/ is the Lambdas' own and may change. Handler types are type-only: importing them loads nothing.

/**
 * Verify Fluent Commerce webhook signatures in code of your own, and the types a handlers module is written against.
 * Needs none of aws-cdk-lib, the AWS SDK or Powertools.
 * @packageDocumentation
 * @module fluent-webhook-receiver
 */

// Verifying a signature
export { FluentSignatureVerifier } from './core/verify-signature';
export type { FluentSignatureVerifierOptions } from './core/verify-signature';
export { RejectionReason } from './core/verification-result';
export type {
  AcceptedSignature,
  RejectedSignature,
  RejectionReasonName,
  VerificationResult,
} from './core/verification-result';
export {
  FLEX_SIGNATURE_HEADER,
  FLUENT_SIGNATURE_HEADER,
  SignatureAlgorithm,
  SignatureHeader,
  SignaturePolicy,
} from './core/constants';
export type { SignatureAlgorithmName, SignatureHeaderName, SignaturePolicyName } from './core/constants';
export type { HeaderValue, RequestHeaders } from './core/headers';

// Fluent's public keys
export { parseFluentPublicKeys } from './core/public-keys';
export type { FluentPublicKey, FluentPublicKeyInput, FluentPublicKeysInput } from './core/public-keys';
export { resolveKeySources } from './core/key-sources';
export type { KeySource } from './core/key-sources';

// Signing, for tests that play Fluent
export { signFluentPayload } from './core/sign-payload';
export type { FluentSignatureHeaders } from './core/sign-payload';

// The event and the account allow-list
export { BodyProblem, parseFluentEvent } from './core/parse-body';
export type { BodyProblemName, ParsedEvent } from './core/parse-body';
export type { DeduplicationKey, FluentEvent } from './core/fluent-event-rules';
export { AllowListRejection, checkAllowList } from './core/allow-list';
export type { AllowList, AllowListDecision, AllowListRejectionName } from './core/allow-list';

// Errors
export { ConfigurationError, FluentWebhookError, InvalidPublicKeyError } from './core/errors';
export type { ConfigurationProblem } from './core/errors';

// Writing handlers
export type {
  FluentEventContext,
  FluentEventHandler,
  FluentEventHandlers,
  HandlerLogger,
  HandlerLogMessage,
  HandlerMetrics,
} from './consumer/handler-types';
export { Provenance } from './contract/provenance';
export type { ProvenanceName } from './contract/provenance';

// Calling Fluent back from a handler (`context.fluent`)
export type { FluentApi } from './fluent-api/fluent-api-client';
export type {
  FluentEventFilter,
  FluentEventPage,
  FluentOutboundEvent,
  SendEventMode,
  SendEventOptions,
  SendEventResult,
} from './fluent-api/fluent-outbound-event';
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
} from './fluent-api/fluent-api-errors';
export type { FluentCallFacts } from './fluent-api/fluent-api-errors';
