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
import { readSignatureHeaders, RequestHeaders, SignatureHeaders } from './headers';
import { md5SignaturesSupported } from './md5-support';
import { FluentPublicKey, FluentPublicKeysInput, parseFluentPublicKeys } from './public-keys';
import { RejectionReason, RejectionReasonName, rejected, VerificationResult } from './verification-result';

/** How to build a {@link FluentSignatureVerifier}: Fluent's public keys, and the signature policy. */
export interface FluentSignatureVerifierOptions {
  /**
   * Fluent's public keys; a signature valid under any of them passes. The key text as Fluent gives it
   * (`'MIGfMA0G...'`, or PEM), several in an array (while Fluent rotates), or keys from `resolveKeySources` or
   * `parseFluentPublicKeys`. Each is checked here: an unusable key throws a `ConfigurationError` naming it.
   */
  readonly publicKeys: FluentPublicKeysInput;
  /** @default 'prefer-sha512' */
  readonly policy?: SignaturePolicyName;
}

/** Standard padded base64 (the length is checked apart: a multiple of 4). */
const STRICT_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Reasons ordered from least to most specific, so a multi-valued header reports its most telling failure. */
const REASON_RANK: readonly RejectionReasonName[] = [
  RejectionReason.MALFORMED_SIGNATURE,
  RejectionReason.SIGNATURE_LENGTH_MISMATCH,
  RejectionReason.NO_MATCHING_KEY,
  RejectionReason.MD5_UNAVAILABLE,
];

/**
 * The one signature header a verifier reads: `fluent-signature` (SHA-512) when it was sent, else `flex.signature`.
 * No downgrade: once fluent-signature is sent, a failing SHA-512 signature is never rescued by MD5, so the other
 * header's values can never change a verdict (the history keeps only these).
 */
export function signaturesToVerify(
  signatures: SignatureHeaders,
): { readonly header: SignatureHeaderName; readonly values: readonly string[] } | undefined {
  const sha512 = signatures[FLUENT_SIGNATURE_HEADER];
  if (sha512 !== undefined) return { header: FLUENT_SIGNATURE_HEADER, values: sha512 };
  const md5 = signatures[FLEX_SIGNATURE_HEADER];
  return md5 === undefined ? undefined : { header: FLEX_SIGNATURE_HEADER, values: md5 };
}

/**
 * Decides whether a request was signed by Fluent. Holds parsed keys; build one at start-up and reuse it.
 * `verify` never throws on request input: it returns why a request was rejected.
 */
export class FluentSignatureVerifier {
  /** The keys it verifies with, parsed and checked. */
  public readonly publicKeys: readonly FluentPublicKey[];
  /** How the two signature headers are weighed. */
  public readonly policy: SignaturePolicyName;
  /** An RSA signature is exactly as long as the key's modulus: the keys by the byte length of their signatures. */
  private readonly keysBySignatureBytes = new Map<number, FluentPublicKey[]>();

  public constructor(options: FluentSignatureVerifierOptions) {
    const given = (options as Partial<FluentSignatureVerifierOptions> | null | undefined)?.publicKeys;
    if (given === undefined || given.length === 0) {
      throw new ConfigurationError(
        "FluentSignatureVerifier needs at least one public key: new FluentSignatureVerifier({ publicKeys: '<the base64 key Fluent gave you>' }).",
      );
    }
    const policy = options.policy ?? DEFAULT_SIGNATURE_POLICY;
    if (policy !== SignaturePolicy.PREFER_SHA512 && policy !== SignaturePolicy.REQUIRE_SHA512) {
      throw new ConfigurationError(
        `Unknown signature policy "${String(policy)}": use prefer-sha512 or require-sha512.`,
      );
    }
    this.publicKeys = parseFluentPublicKeys(given);
    this.policy = policy;
    for (const key of this.publicKeys) {
      const bytes = Math.ceil(key.bits / 8);
      this.keysBySignatureBytes.set(bytes, [...(this.keysBySignatureBytes.get(bytes) ?? []), key]);
    }
  }

  /** Verifies the exact raw body (bytes, or the string as received, read as UTF-8) against the request's signature headers. */
  public verify(rawBody: Uint8Array | string, headers: RequestHeaders | null | undefined): VerificationResult {
    return this.verifySignatures(rawBody, readSignatureHeaders(headers));
  }

  /**
   * {@link verify} for signature headers already read with `readSignatureHeaders` (the receiver and the consumer).
   * @internal
   */
  public verifySignatures(rawBody: Uint8Array | string, signatures: SignatureHeaders): VerificationResult {
    const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
    const read = signaturesToVerify(signatures);
    if (read === undefined) return rejected(RejectionReason.MISSING_SIGNATURE);
    if (read.header === FLUENT_SIGNATURE_HEADER) {
      return this.verifyHeader(body, read.values, FLUENT_SIGNATURE_HEADER, SignatureAlgorithm.SHA512);
    }
    const md5 = read.values;
    if (this.policy === SignaturePolicy.REQUIRE_SHA512) return rejected(RejectionReason.MD5_REFUSED_BY_POLICY);
    if (!md5SignaturesSupported()) return rejected(RejectionReason.MD5_UNAVAILABLE);
    return this.verifyHeader(body, md5, FLEX_SIGNATURE_HEADER, SignatureAlgorithm.MD5);
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
    // Buffer.from skips what is not base64 and takes base64url and missing padding too, so the strict form (as
    // Java's encoder writes it) is checked first.
    if (value.length % 4 !== 0 || !STRICT_BASE64.test(value)) return RejectionReason.MALFORMED_SIGNATURE;
    const signature = Buffer.from(value, 'base64');
    const keys = this.keysBySignatureBytes.get(signature.length);
    if (keys === undefined) return RejectionReason.SIGNATURE_LENGTH_MISMATCH;
    for (const key of keys) {
      try {
        if (cryptoVerify(algorithm, body, key.keyObject, signature)) return key;
      } catch {
        // OpenSSL refuses some inputs (for example MD5 under FIPS) by throwing; that is a rejection, never a crash.
        if (algorithm === SignatureAlgorithm.MD5 && !md5SignaturesSupported()) return RejectionReason.MD5_UNAVAILABLE;
      }
    }
    return RejectionReason.NO_MATCHING_KEY;
  }
}
