export {
  FLEX_SIGNATURE_HEADER,
  FLUENT_SIGNATURE_HEADER,
  MAX_SQS_MESSAGE_BYTES,
  SignatureAlgorithm,
  SignatureHeader,
  SignaturePolicy,
  DEFAULT_SIGNATURE_POLICY,
} from './constants';
export type { SignatureAlgorithmName, SignatureHeaderName, SignaturePolicyName } from './constants';
export { ConfigurationError, FluentWebhookError, InvalidPublicKeyError } from './errors';
export type { ConfigurationProblem } from './errors';
export { configurationError, renderProblems, throwIfProblems } from './configuration-problems';
export type { ProblemTerms, SettingNamer } from './configuration-problems';
export { lookupHeader, readSignatureHeaders } from './headers';
export type { HeaderLookup, HeaderValue, RequestHeaders, SignatureHeaders } from './headers';
export { fingerprintOf, parseFluentPublicKey, parseFluentPublicKeys } from './public-keys';
export type { FluentPublicKey } from './public-keys';
export { resolveKeySources, splitList } from './key-sources';
export type { KeySource } from './key-sources';
export { PATH_SECRET_FINGERPRINT_LENGTH, pathSecretFingerprint } from './path-secret-fingerprint';
export { FluentSignatureVerifier } from './verify-signature';
export type { FluentSignatureVerifierOptions } from './verify-signature';
export { RejectionReason, REJECTION_MESSAGES } from './verification-result';
export type {
  AcceptedSignature,
  RejectedSignature,
  RejectionReasonName,
  VerificationResult,
} from './verification-result';
export { signFluentPayload } from './sign-payload';
export type { FluentSignatureHeaders } from './sign-payload';
export { FluentEventSchema } from './fluent-event';
export type { FluentEvent } from './fluent-event';
export { invalidEventMessage, readFluentEvent } from './fluent-event-rules';
export type { DeduplicationKey, FluentEventReading } from './fluent-event-rules';
export { idText } from './id-text';
export {
  entityKey,
  HASHED_KEY_PREFIX,
  MAX_SQS_FIFO_ID_CHARS,
  messageDeduplicationId,
  messageGroupId,
} from './ordering-keys';
export type { EntityFields } from './ordering-keys';
export { MAX_STATUS_ORDER_CHARS, readStatusOrder, statusPosition } from './stale-status';
export type { StatusOrder, StatusPosition } from './stale-status';
export { BodyProblem, fluentEventFromObject, parseFluentEvent, parseJsonObject } from './parse-body';
export type { BodyProblemName, ParsedEvent, ParsedJson } from './parse-body';
export { AllowListRejection, checkAllowList } from './allow-list';
export type { AllowList, AllowListDecision, AllowListRejectionName } from './allow-list';
export {
  DEDUPLICATION_MARGIN_SECONDS,
  deduplicationWindowProblem,
  DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS,
  MAX_SQS_RETENTION_SECONDS,
  MIN_IDEMPOTENCY_EXPIRY_SECONDS,
  parseReceiverSettings,
  rawSettingsFromEnv,
  readReceiverSettings,
  SETTING_ENV_NAMES,
  settingsToEnv,
  UnhandledEventPolicy,
} from './settings';
export type {
  RawReceiverSettings,
  RawSettingValue,
  ReceiverSettings,
  ReceiverSettingsResult,
  SettingKey,
  UnhandledEventPolicyName,
} from './settings';
