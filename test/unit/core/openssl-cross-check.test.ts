import { readFileSync, writeFileSync } from 'node:fs';
import {
  FLEX_SIGNATURE_HEADER,
  FLUENT_SIGNATURE_HEADER,
  FluentSignatureVerifier,
  parseFluentPublicKey,
  signFluentPayload,
  SignatureHeaderName,
} from '../../../lambdas/core';
import { openssl, opensslVerifies } from '../../support/openssl';
import { useTempDir } from '../../support/temp-dir';

/** Bodies that break receivers which do not verify the exact bytes. */
const BODIES: ReadonlyArray<[string, Buffer]> = [
  ['a Fluent event', Buffer.from('{"id":"6a1f0c9e","name":"OrderStatusChange","accountId":"ACME","retailerId":"1"}')],
  ['multi-byte UTF-8', Buffer.from('{"name":"Zoë 🚚 東京"}', 'utf8')],
  ['CRLF and a trailing newline', Buffer.from('{\r\n"id":"1"\r\n}\r\n')],
  ['escaped unicode', Buffer.from('{"name":"caf\\u00e9 \\ud83d\\ude9a"}')],
  ['bytes that are not UTF-8', Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x7b])],
];

const SCHEMES: ReadonlyArray<['sha512' | 'md5', SignatureHeaderName]> = [
  ['sha512', FLUENT_SIGNATURE_HEADER],
  ['md5', FLEX_SIGNATURE_HEADER],
];

describe.each([1024, 2048])('Cross-check with the openssl command line, %i-bit key', (bits) => {
  const temp = useTempDir();
  const files = { privateKey: '', publicKey: '' };
  let verifier: FluentSignatureVerifier;

  beforeAll(() => {
    // The key pair is made by openssl too, and its public key read in Fluent's base64 DER format.
    files.privateKey = temp.path('private-key.pem');
    files.publicKey = temp.path('public-key.pem');
    openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`, '-out', files.privateKey);
    openssl('pkey', '-in', files.privateKey, '-pubout', '-out', files.publicKey);
    const fluentFormat = openssl('pkey', '-pubin', '-in', files.publicKey, '-outform', 'DER').toString('base64');
    verifier = new FluentSignatureVerifier({ publicKeys: [parseFluentPublicKey(fluentFormat, 'openssl key')] });
  });

  describe.each(SCHEMES)('%s', (algorithm, header) => {
    it.each(BODIES)('our verifier accepts openssl dgst -sign over %s', (name, body) => {
      // Prepare
      const bodyPath = temp.path(`${algorithm}-${name}.body`);
      writeFileSync(bodyPath, body);
      const signature = openssl('dgst', `-${algorithm}`, '-sign', files.privateKey, bodyPath).toString('base64');

      // Act
      const accepted = verifier.verify(body, { [header]: signature });
      const tampered = verifier.verify(Buffer.concat([body, Buffer.from(' ')]), { [header]: signature });

      // Assess
      expect(accepted).toMatchObject({ ok: true, header, algorithm });
      expect(tampered).toMatchObject({ ok: false });
    });

    it.each(BODIES)('openssl dgst -verify accepts our signFluentPayload over %s', (name, body) => {
      // Prepare
      const bodyPath = temp.path(`ours-${algorithm}-${name}.body`);
      const signaturePath = temp.path(`ours-${algorithm}-${name}.sig`);
      writeFileSync(bodyPath, body);
      writeFileSync(
        signaturePath,
        Buffer.from(signFluentPayload(body, readFileSync(files.privateKey, 'utf8'))[header], 'base64'),
      );
      const otherBodyPath = temp.path(`ours-${algorithm}-${name}.other`);
      writeFileSync(otherBodyPath, Buffer.concat([body, Buffer.from('x')]));

      // Act
      const verified = opensslVerifies(algorithm, files.publicKey, signaturePath, bodyPath);
      const verifiedOther = opensslVerifies(algorithm, files.publicKey, signaturePath, otherBodyPath);

      // Assess
      expect(verified).toBe(true);
      expect(verifiedOther).toBe(false);
    });
  });
});
