import { randomBytes } from 'node:crypto';
import { PATH_SECRET_FINGERPRINT_LENGTH, pathSecretFingerprint } from '../../../lambdas/core';

describe('Function: pathSecretFingerprint', () => {
  it.each([
    // The first 8 hex digits of the published SHA-256 test vectors (FIPS 180-2).
    ['abc', 'ba7816bf'],
    ['', 'e3b0c442'],
  ])('is the start of the SHA-256 of %j', (secret, expected) => {
    // Act & Assess
    expect(pathSecretFingerprint(secret)).toBe(expected);
  });

  it('gives 8 lowercase hex digits that differ from secret to secret and hold no part of it', () => {
    // Prepare
    const secrets = Array.from({ length: 200 }, () => randomBytes(32).toString('base64url'));

    // Act
    const fingerprints = secrets.map(pathSecretFingerprint);

    // Assess
    expect(PATH_SECRET_FINGERPRINT_LENGTH).toBe(8);
    for (const fingerprint of fingerprints) expect(fingerprint).toMatch(/^[0-9a-f]{8}$/);
    expect(new Set(fingerprints).size).toBe(secrets.length);
    expect(secrets.filter((secret, index) => secret.includes(fingerprints[index] as string))).toEqual([]);
  });
});
