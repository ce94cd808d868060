/** Header carrying the SHA512withRSA signature of the raw body (base64). */
export const FLUENT_SIGNATURE_HEADER = 'fluent-signature';
/** Legacy header carrying the MD5withRSA signature of the raw body (base64). */
export const FLEX_SIGNATURE_HEADER = 'flex.signature';

/** The two headers Fluent signs with, by algorithm. */
export const SignatureHeader = {
  /** `fluent-signature`: SHA512withRSA. */
  SHA512: FLUENT_SIGNATURE_HEADER,
  /** `flex.signature`: MD5withRSA, the legacy one. */
  MD5: FLEX_SIGNATURE_HEADER,
} as const;
/** `fluent-signature` or `flex.signature`. */
export type SignatureHeaderName = (typeof SignatureHeader)[keyof typeof SignatureHeader];

/** The signature algorithms, as results name them. */
export const SignatureAlgorithm = {
  /** SHA512withRSA (`fluent-signature`). */
  SHA512: 'sha512',
  /** MD5withRSA (`flex.signature`). */
  MD5: 'md5',
} as const;
/** `sha512` or `md5`. */
export type SignatureAlgorithmName = (typeof SignatureAlgorithm)[keyof typeof SignatureAlgorithm];

/**
 * How the two signature headers are weighed.
 * - `prefer-sha512`: `fluent-signature` decides whenever present; `flex.signature` only when it is absent.
 * - `require-sha512`: only `fluent-signature` is accepted.
 */
export const SignaturePolicy = {
  /** The default: `fluent-signature` decides whenever present; `flex.signature` only when it is absent. */
  PREFER_SHA512: 'prefer-sha512',
  /** Only `fluent-signature` is accepted. */
  REQUIRE_SHA512: 'require-sha512',
} as const;
/** One of the {@link SignaturePolicy} strings. */
export type SignaturePolicyName = (typeof SignaturePolicy)[keyof typeof SignaturePolicy];
export const DEFAULT_SIGNATURE_POLICY: SignaturePolicyName = SignaturePolicy.PREFER_SHA512;

/** RSA modulus sizes accepted for Fluent public keys. Fluent uses 1024-bit keys today. */
export const MIN_RSA_KEY_BITS = 1024;
export const MAX_RSA_KEY_BITS = 4096;

/** Largest SQS message body since August 2025, and so the largest webhook body we can accept. */
export const MAX_SQS_MESSAGE_BYTES = 1_048_576;
