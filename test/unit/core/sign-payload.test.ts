import { verify } from 'node:crypto';
import { FLEX_SIGNATURE_HEADER, FLUENT_SIGNATURE_HEADER, signFluentPayload } from '../../../lambdas/core';
import { testKeyPair } from '../../support/test-keys';

describe('Function: signFluentPayload', () => {
  const keys = testKeyPair(1024, 'signer');
  const text = '{"name":"Zoë"}\r\n';

  it('returns exactly the two Fluent headers, standard padded base64 of 128-byte signatures', () => {
    // Act
    const headers = signFluentPayload(text, keys.privateKey);

    // Assess
    expect(Object.keys(headers)).toEqual([FLUENT_SIGNATURE_HEADER, FLEX_SIGNATURE_HEADER]);
    for (const value of Object.values(headers)) {
      expect(value).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
      expect(Buffer.from(value, 'base64')).toHaveLength(128);
    }
  });

  it('signs SHA512withRSA and MD5withRSA (PKCS#1 v1.5) over the UTF-8 bytes', () => {
    // Act
    const headers = signFluentPayload(text, keys.privateKey);

    // Assess
    const bytes = Buffer.from(text, 'utf8');
    expect(
      verify('sha512', bytes, keys.parsed.keyObject, Buffer.from(headers[FLUENT_SIGNATURE_HEADER], 'base64')),
    ).toBe(true);
    expect(verify('md5', bytes, keys.parsed.keyObject, Buffer.from(headers[FLEX_SIGNATURE_HEADER], 'base64'))).toBe(
      true,
    );
  });

  it('gives the same (deterministic) signatures for a string, its bytes, and a PEM private key', () => {
    // Act
    const variants = [
      signFluentPayload(text, keys.privateKey),
      signFluentPayload(Buffer.from(text, 'utf8'), keys.privateKey),
      signFluentPayload(new Uint8Array(Buffer.from(text, 'utf8')), keys.privateKeyPem),
    ];

    // Assess
    expect(variants[1]).toEqual(variants[0]);
    expect(variants[2]).toEqual(variants[0]);
  });
});
