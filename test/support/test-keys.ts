import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { FluentPublicKey, parseFluentPublicKey } from '../../lambdas/core';

/** A throwaway RSA key pair in every format the tests need. */
export interface TestKeyPair {
  readonly bits: number;
  readonly privateKey: KeyObject;
  readonly privateKeyPem: string;
  /** Fluent's format: base64 DER SubjectPublicKeyInfo, no armour. */
  readonly publicKeyBase64: string;
  readonly publicKeyPem: string;
  readonly parsed: FluentPublicKey;
}

const cache = new Map<string, TestKeyPair>();

/** Returns a key pair of `bits`, generated once per test file and `name` (key generation is slow at 4096 bits). */
export function testKeyPair(bits = 1024, name = 'default'): TestKeyPair {
  const cacheKey = `${bits}/${name}`;
  const cached = cache.get(cacheKey);
  if (cached !== undefined) return cached;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const publicKeyBase64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const pair: TestKeyPair = {
    bits,
    privateKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyBase64,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    parsed: parseFluentPublicKey(publicKeyBase64, `test key ${cacheKey}`),
  };
  cache.set(cacheKey, pair);
  return pair;
}
