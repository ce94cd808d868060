import type { SignatureAlgorithmName, SignatureHeaderName } from './constants';

/** Why a request was not accepted as Fluent's. Stable strings: use them in metrics and alarms. */
export const RejectionReason = {
  MISSING_SIGNATURE: 'missing-signature',
  MALFORMED_SIGNATURE: 'malformed-signature',
  SIGNATURE_LENGTH_MISMATCH: 'signature-length-mismatch',
  NO_MATCHING_KEY: 'no-matching-key',
  MD5_REFUSED_BY_POLICY: 'md5-refused-by-policy',
  MD5_UNAVAILABLE: 'md5-unavailable',
} as const;
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

export interface AcceptedSignature {
  readonly ok: true;
  readonly header: SignatureHeaderName;
  readonly algorithm: SignatureAlgorithmName;
  /** Fingerprint of the key that matched (see `FluentPublicKey.fingerprint`). */
  readonly keyFingerprint: string;
  readonly keyLabel: string;
}

export interface RejectedSignature {
  readonly ok: false;
  readonly reason: RejectionReasonName;
  readonly message: string;
}

export type VerificationResult = AcceptedSignature | RejectedSignature;

export function rejected(reason: RejectionReasonName): RejectedSignature {
  return { ok: false, reason, message: REJECTION_MESSAGES[reason] };
}
