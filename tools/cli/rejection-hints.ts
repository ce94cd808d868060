import {
  FLEX_SIGNATURE_HEADER,
  FLUENT_SIGNATURE_HEADER,
  SignatureAlgorithm,
  SignatureAlgorithmName,
} from '../../lambdas/core/constants';
import type { RequestHeaders } from '../../lambdas/core/headers';
import { RejectionReason, RejectedSignature } from '../../lambdas/core/verification-result';
import type { FluentSignatureVerifier } from '../../lambdas/core/verify-signature';

/** Java's names for the two schemes, as Fluent's documentation uses them. */
export const ALGORITHM_NAMES: Readonly<Record<SignatureAlgorithmName, string>> = {
  [SignatureAlgorithm.SHA512]: 'SHA512withRSA',
  [SignatureAlgorithm.MD5]: 'MD5withRSA',
};

/**
 * Explains a rejection beyond its reason, by trying the near misses people hit when debugging by hand:
 * an editor's trailing newline, a wrong fluent-signature next to a good flex.signature, a key of another size.
 */
export function rejectionHints(
  verifier: FluentSignatureVerifier,
  body: Buffer,
  headers: Readonly<Record<string, string>>,
  rejection: RejectedSignature,
): string[] {
  const hints: string[] = [];
  const withoutNewline = body.subarray(0, body.length - trailingNewlineLength(body));
  if (withoutNewline.length < body.length && verifier.verify(withoutNewline, headers).ok) {
    hints.push(
      'The signature matches the body WITHOUT its final newline: the body file gained one (editors add it). Save the file without a trailing newline.',
    );
  }
  const flex = headers[FLEX_SIGNATURE_HEADER];
  if (headers[FLUENT_SIGNATURE_HEADER] !== undefined && flex !== undefined && onlyFlexVerifies(verifier, body, flex)) {
    hints.push(
      `${FLEX_SIGNATURE_HEADER} alone would verify, but ${FLUENT_SIGNATURE_HEADER} is present and decides (no downgrade to MD5). Check that the ${FLUENT_SIGNATURE_HEADER} value was copied whole.`,
    );
  }
  if (rejection.reason === RejectionReason.SIGNATURE_LENGTH_MISMATCH) {
    const sizes = [
      ...new Set(verifier.publicKeys.map((key) => `${key.bits}-bit (${Math.ceil(key.bits / 8)}-byte signatures)`)),
    ];
    hints.push(
      `The configured keys are ${sizes.join(', ')}. A signature of another length was made with another key, or was cut short.`,
    );
  }
  return hints;
}

function trailingNewlineLength(body: Buffer): number {
  if (body.length >= 2 && body[body.length - 2] === 0x0d && body[body.length - 1] === 0x0a) return 2;
  return body.length >= 1 && body[body.length - 1] === 0x0a ? 1 : 0;
}

function onlyFlexVerifies(verifier: FluentSignatureVerifier, body: Buffer, flex: string): boolean {
  const flexOnly: RequestHeaders = { [FLEX_SIGNATURE_HEADER]: flex };
  return verifier.policy !== 'require-sha512' && verifier.verify(body, flexOnly).ok;
}
