import type { SignatureAlgorithmName, SignatureHeaderName } from './constants';

/** Why a request was not accepted as Fluent's. Stable strings: use them in metrics and alarms. */
export const RejectionReason = {
  /** Neither `fluent-signature` nor `flex.signature` was sent. */
  MISSING_SIGNATURE: 'missing-signature',
  /** The deciding header is empty or not standard padded base64. */
  MALFORMED_SIGNATURE: 'malformed-signature',
  /** The decoded signature is not as long as any configured key's signatures. */
  SIGNATURE_LENGTH_MISMATCH: 'signature-length-mismatch',
  /** The signature does not verify over these exact bytes under any configured key. */
  NO_MATCHING_KEY: 'no-matching-key',
  /** Only `flex.signature` was sent, and the policy is `require-sha512`. */
  MD5_REFUSED_BY_POLICY: 'md5-refused-by-policy',
  /** Only `flex.signature` was sent, and this runtime cannot compute MD5 (OpenSSL in FIPS mode). */
  MD5_UNAVAILABLE: 'md5-unavailable',
} as const;
/** One of the {@link RejectionReason} strings. */
export type RejectionReasonName = (typeof RejectionReason)[keyof typeof RejectionReason];

/** One fixed, body-free message per reason, safe to return to the caller and to log. */
export const REJECTION_MESSAGES: Readonly<Record<RejectionReasonName, string>> = {
  'missing-signature': 'No fluent-signature or flex.signature header was sent.',
  'malformed-signature': 'The signature header is not standard padded base64.',
  'signature-length-mismatch': 'The signature length does not match the size of any configured key.',
  'no-matching-key': 'The signature does not match the body under any configured key.',
  'md5-refused-by-policy':
    'Only flex.signature (MD5withRSA) was sent, and the policy require-sha512 accepts fluent-signature only.',
  'md5-unavailable':
    'Only flex.signature (MD5withRSA) was sent, and this runtime cannot verify MD5 signatures (OpenSSL FIPS mode?). Use the require-sha512 policy or a runtime with MD5.',
};

/** The request was signed by Fluent: which header decided, with which algorithm and which key. */
export interface AcceptedSignature {
  /** Always `true`: test `ok` to tell the two results apart. */
  readonly ok: true;
  /** The header whose signature decided. */
  readonly header: SignatureHeaderName;
  /** `sha512` (`fluent-signature`) or `md5` (`flex.signature`). */
  readonly algorithm: SignatureAlgorithmName;
  /** Fingerprint of the key that matched (see `FluentPublicKey.fingerprint`). */
  readonly keyFingerprint: string;
  /** The label of the key that matched: `entry N`, or the file it was read from. */
  readonly keyLabel: string;
}

/** The request was not accepted as Fluent's, and why. */
export interface RejectedSignature {
  /** Always `false`. */
  readonly ok: false;
  /** Why, as a stable string for metrics and alarms. */
  readonly reason: RejectionReasonName;
  /** A fixed sentence for the reason; never quotes the request, safe to return and to log. */
  readonly message: string;
}

/** What `FluentSignatureVerifier.verify` answers; it never throws on request input. */
export type VerificationResult = AcceptedSignature | RejectedSignature;

export function rejected(reason: RejectionReasonName): RejectedSignature {
  return { ok: false, reason, message: REJECTION_MESSAGES[reason] };
}
