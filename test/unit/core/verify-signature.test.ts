import {
  FLEX_SIGNATURE_HEADER,
  FLUENT_SIGNATURE_HEADER,
  FluentSignatureVerifier,
  RejectionReason,
  signFluentPayload,
} from '../../../lambdas/core';
import { fluentEventBody } from '../../helpers/factories';
import { testKeyPair } from '../../helpers/test-keys';

describe('Class: FluentSignatureVerifier', () => {
  const fluent = testKeyPair(1024, 'fluent');
  const stranger = testKeyPair(1024, 'stranger');
  const body = fluentEventBody();
  const good = signFluentPayload(body, fluent.privateKey);
  const forged = signFluentPayload(body, stranger.privateKey);
  const verifier = new FluentSignatureVerifier({ publicKeys: [fluent.parsed] });

  it('accepts a body signed with the configured key and says which header and key matched', () => {
    // Act
    const result = verifier.verify(body, good);

    // Assess
    expect(result).toEqual({
      ok: true,
      header: FLUENT_SIGNATURE_HEADER,
      algorithm: 'sha512',
      keyFingerprint: fluent.parsed.fingerprint,
      keyLabel: fluent.parsed.label,
    });
  });

  it('never rescues a failing SHA-512 signature with a passing MD5 one (no downgrade)', () => {
    // Act
    const result = verifier.verify(body, {
      [FLUENT_SIGNATURE_HEADER]: forged[FLUENT_SIGNATURE_HEADER],
      [FLEX_SIGNATURE_HEADER]: good[FLEX_SIGNATURE_HEADER],
    });

    // Assess
    expect(result).toMatchObject({ ok: false, reason: RejectionReason.NO_MATCHING_KEY });
  });

  it.each([
    ['no signature header', {}, RejectionReason.MISSING_SIGNATURE],
    ['a signature that is not base64', { [FLUENT_SIGNATURE_HEADER]: 'not*base64' }, RejectionReason.MALFORMED_SIGNATURE],
    ['a signature of the wrong length', { [FLUENT_SIGNATURE_HEADER]: 'AAAA' }, RejectionReason.SIGNATURE_LENGTH_MISMATCH],
  ])('rejects %s', (_case, headers, reason) => {
    // Act
    const result = verifier.verify(body, headers);

    // Assess
    expect(result).toMatchObject({ ok: false, reason });
  });
});
