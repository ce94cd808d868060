import { verify as cryptoVerify } from 'node:crypto';
import {
  DEFAULT_SIGNATURE_POLICY,
  FLEX_SIGNATURE_HEADER,
  FLUENT_SIGNATURE_HEADER,
  SignatureAlgorithm,
  SignatureAlgorithmName,
  SignatureHeaderName,
  SignaturePolicy,
  SignaturePolicyName,
} from './constants';
import { ConfigurationError } from './errors';
import { lookupHeader, RequestHeaders } from './headers';
import { md5SignaturesSupported } from './md5-support';
import type { FluentPublicKey } from './public-keys';
import { RejectionReason, RejectionReasonName, rejected, VerificationResult } from './verification-result';

export interface FluentSignatureVerifierOptions {
  /** Keys parsed with `parseFluentPublicKeys`; a signature valid under any of them passes. */
  readonly publicKeys: readonly FluentPublicKey[];
  /** @default 'prefer-sha512' */
  readonly policy?: SignaturePolicyName;
}

/** Any character outside the standard base64 alphabet and its padding. */
const NOT_BASE64 = /[^A-Za-z0-9+/=]/;
const PAD = 0x3d; // '='

/** Keys of one modulus size, and a buffer their signatures are decoded into (verify is synchronous). */
interface KeySlot {
  readonly keys: readonly FluentPublicKey[];
  readonly scratch: Buffer;
}

/** Reasons ordered from least to most specific, so a multi-valued header reports its most telling failure. */
const REASON_RANK: readonly RejectionReasonName[] = [
  RejectionReason.MALFORMED_SIGNATURE,
  RejectionReason.SIGNATURE_LENGTH_MISMATCH,
  RejectionReason.NO_MATCHING_KEY,
  RejectionReason.MD5_UNAVAILABLE,
];

/**
 * Decides whether a request was signed by Fluent. Holds parsed keys; build one at start-up and reuse it.
 * `verify` never throws on request input: it returns why a request was rejected.
 */
export class FluentSignatureVerifier {
  public readonly publicKeys: readonly FluentPublicKey[];
  public readonly policy: SignaturePolicyName;
  private readonly slotsBySignatureBytes: ReadonlyMap<number, KeySlot>;

  public constructor(options: FluentSignatureVerifierOptions) {
    if (options.publicKeys.length === 0) {
      throw new ConfigurationError('FluentSignatureVerifier needs at least one public key.');
    }
    const policy = options.policy ?? DEFAULT_SIGNATURE_POLICY;
    if (policy !== SignaturePolicy.PREFER_SHA512 && policy !== SignaturePolicy.REQUIRE_SHA512) {
      throw new ConfigurationError(
        `Unknown signature policy "${String(policy)}": use prefer-sha512 or require-sha512.`,
      );
    }
    this.publicKeys = [...options.publicKeys];
    this.policy = policy;
    const bySize = new Map<number, KeySlot>();
    for (const key of this.publicKeys) {
      const bytes = Math.ceil(key.bits / 8);
      const slot = bySize.get(bytes);
      bySize.set(bytes, { keys: [...(slot?.keys ?? []), key], scratch: slot?.scratch ?? Buffer.alloc(bytes) });
    }
    this.slotsBySignatureBytes = bySize;
  }

  /** Verifies the exact raw body (bytes, or the string as received, read as UTF-8) against the request's signature headers. */
  public verify(rawBody: Uint8Array | string, headers: RequestHeaders | null | undefined): VerificationResult {
    const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
    const sha512 = lookupHeader(FLUENT_SIGNATURE_HEADER, headers);
    if (sha512.present) {
      // No downgrade: once fluent-signature is sent, a failing SHA-512 signature is never rescued by MD5.
      return this.verifyHeader(body, sha512.values, FLUENT_SIGNATURE_HEADER, SignatureAlgorithm.SHA512);
    }
    const md5 = lookupHeader(FLEX_SIGNATURE_HEADER, headers);
    if (!md5.present) return rejected(RejectionReason.MISSING_SIGNATURE);
    if (this.policy === SignaturePolicy.REQUIRE_SHA512) return rejected(RejectionReason.MD5_REFUSED_BY_POLICY);
    if (!md5SignaturesSupported()) return rejected(RejectionReason.MD5_UNAVAILABLE);
    return this.verifyHeader(body, md5.values, FLEX_SIGNATURE_HEADER, SignatureAlgorithm.MD5);
  }

  private verifyHeader(
    body: Uint8Array,
    values: readonly string[],
    header: SignatureHeaderName,
    algorithm: SignatureAlgorithmName,
  ): VerificationResult {
    let worst: RejectionReasonName = RejectionReason.MALFORMED_SIGNATURE;
    for (const value of values) {
      const outcome = this.verifyOne(body, value, algorithm);
      if (typeof outcome !== 'string') {
        return { ok: true, header, algorithm, keyFingerprint: outcome.fingerprint, keyLabel: outcome.label };
      }
      if (REASON_RANK.indexOf(outcome) > REASON_RANK.indexOf(worst)) worst = outcome;
    }
    return rejected(worst);
  }

  private verifyOne(
    body: Uint8Array,
    value: string,
    algorithm: SignatureAlgorithmName,
  ): FluentPublicKey | RejectionReasonName {
    const bytes = strictBase64Length(value);
    if (bytes === undefined) return RejectionReason.MALFORMED_SIGNATURE;
    const slot = this.slotsBySignatureBytes.get(bytes);
    if (slot === undefined) return RejectionReason.SIGNATURE_LENGTH_MISMATCH;
    // Decoding into the slot's buffer saves an allocation per request; nothing keeps it past this call.
    slot.scratch.write(value, 0, 'base64');
    for (const key of slot.keys) {
      try {
        if (cryptoVerify(algorithm, body, key.keyObject, slot.scratch)) return key;
      } catch {
        // OpenSSL refuses some inputs (for example MD5 under FIPS) by throwing; that is a rejection, never a crash.
        if (algorithm === SignatureAlgorithm.MD5 && !md5SignaturesSupported()) return RejectionReason.MD5_UNAVAILABLE;
      }
    }
    return RejectionReason.NO_MATCHING_KEY;
  }
}

/**
 * The decoded length of strict standard base64 (what `/^[A-Za-z0-9+/]+={0,2}$/` with a length divisible by 4
 * admits, as Java's encoder writes it), or undefined for anything else. Written out because on the hot path
 * it costs about half of that anchored regex.
 */
function strictBase64Length(value: string): number | undefined {
  const length = value.length;
  if (length === 0 || length % 4 !== 0 || NOT_BASE64.test(value)) return undefined;
  const firstPad = value.indexOf('=');
  if (firstPad === -1) return (length / 4) * 3;
  if (firstPad === length - 1) return (length / 4) * 3 - 1;
  if (firstPad === length - 2 && value.charCodeAt(length - 1) === PAD) return (length / 4) * 3 - 2;
  return undefined;
}
