import * as crypto from 'node:crypto';
import {
  FLEX_SIGNATURE_HEADER,
  FLUENT_SIGNATURE_HEADER,
  FluentSignatureVerifier,
  REJECTION_MESSAGES,
  RejectionReason,
  SignaturePolicy,
  signFluentPayload,
} from '../../../lambdas/core';
import { md5SignaturesSupported } from '../../../lambdas/core/md5-support';
import { fluentEventBody } from '../../support/factories';
import { testKeyPair } from '../../support/test-keys';

// A runtime without MD5 (OpenSSL in FIPS mode) cannot be switched on in a test process, so the probe is mocked.
jest.mock('../../../lambdas/core/md5-support', () => ({ md5SignaturesSupported: jest.fn(() => false) }));
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, verify: jest.fn(actual.verify) };
});

describe('Class: FluentSignatureVerifier, in a runtime without MD5', () => {
  const keys = testKeyPair(1024, 'fips');
  const body = fluentEventBody();
  const signed = signFluentPayload(body, keys.privateKey);
  const supported = jest.mocked(md5SignaturesSupported);
  const cryptoVerify = jest.mocked(crypto.verify);

  afterEach(() => {
    supported.mockImplementation(() => false);
    cryptoVerify.mockImplementation(jest.requireActual<typeof import('node:crypto')>('node:crypto').verify);
  });

  it('rejects flex.signature alone as md5-unavailable, with a message saying what to do', () => {
    // Prepare
    const verifier = new FluentSignatureVerifier({ publicKeys: [keys.parsed] });

    // Act
    const result = verifier.verify(body, { [FLEX_SIGNATURE_HEADER]: signed[FLEX_SIGNATURE_HEADER] });

    // Assess
    expect(result).toEqual({
      ok: false,
      reason: RejectionReason.MD5_UNAVAILABLE,
      message: REJECTION_MESSAGES[RejectionReason.MD5_UNAVAILABLE],
    });
    expect(result.ok === false && result.message).toContain('require-sha512');
  });

  it('still accepts fluent-signature (SHA-512 needs no MD5)', () => {
    // Prepare
    const verifier = new FluentSignatureVerifier({ publicKeys: [keys.parsed] });

    // Act
    const result = verifier.verify(body, signed);

    // Assess
    expect(result).toMatchObject({ ok: true, header: FLUENT_SIGNATURE_HEADER });
  });

  it('reports the policy, not the runtime, under require-sha512', () => {
    // Prepare
    const verifier = new FluentSignatureVerifier({ publicKeys: [keys.parsed], policy: SignaturePolicy.REQUIRE_SHA512 });

    // Act
    const result = verifier.verify(body, { [FLEX_SIGNATURE_HEADER]: signed[FLEX_SIGNATURE_HEADER] });

    // Assess
    expect(result).toMatchObject({ ok: false, reason: RejectionReason.MD5_REFUSED_BY_POLICY });
  });

  it('turns an MD5 verification that throws mid-way into md5-unavailable instead of a crash', () => {
    // Prepare: the probe passes, then OpenSSL refuses MD5 when it is actually used.
    supported.mockReturnValueOnce(true).mockReturnValue(false);
    cryptoVerify.mockImplementation(() => {
      throw new Error('error:0308010C:digital envelope routines::unsupported');
    });
    const verifier = new FluentSignatureVerifier({ publicKeys: [keys.parsed] });

    // Act
    const result = verifier.verify(body, { [FLEX_SIGNATURE_HEADER]: signed[FLEX_SIGNATURE_HEADER] });

    // Assess
    expect(result).toMatchObject({ ok: false, reason: RejectionReason.MD5_UNAVAILABLE });
  });

  it('treats a SHA-512 verification that throws as a failed match', () => {
    // Prepare
    cryptoVerify.mockImplementation(() => {
      throw new Error('error:02000079:rsa routines::oaep decoding error');
    });
    const verifier = new FluentSignatureVerifier({ publicKeys: [keys.parsed] });

    // Act
    const result = verifier.verify(body, signed);

    // Assess
    expect(result).toMatchObject({ ok: false, reason: RejectionReason.NO_MATCHING_KEY });
  });
});
