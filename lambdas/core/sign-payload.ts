import { KeyObject, sign as cryptoSign } from 'node:crypto';
import { FLEX_SIGNATURE_HEADER, FLUENT_SIGNATURE_HEADER } from './constants';

/** The two signature headers exactly as Fluent sends them. */
export type FluentSignatureHeaders = {
  /** SHA512withRSA over the body, base64. */
  readonly [FLUENT_SIGNATURE_HEADER]: string;
  /** MD5withRSA over the body, base64. */
  readonly [FLEX_SIGNATURE_HEADER]: string;
};

/**
 * Signs a body the way Fluent does (SHA512withRSA and MD5withRSA, PKCS#1 v1.5, base64), for tests,
 * the CLI and local runs. `privateKey` is a KeyObject or a PEM string.
 */
export function signFluentPayload(
  rawBody: Uint8Array | string,
  privateKey: KeyObject | string,
): FluentSignatureHeaders {
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  return {
    [FLUENT_SIGNATURE_HEADER]: cryptoSign('sha512', body, privateKey).toString('base64'),
    [FLEX_SIGNATURE_HEADER]: cryptoSign('md5', body, privateKey).toString('base64'),
  };
}
