import { generateKeyPairSync, KeyObject, verify as cryptoVerify } from 'node:crypto';
import { SignatureAlgorithm as SdkAlgorithm, WebhookValidationService } from '@fluentcommerce/fc-connect-sdk';
import { join } from 'node:path';
import { FLEX_SIGNATURE_HEADER, FLUENT_SIGNATURE_HEADER } from '../../lambdas/core';
import { fluentEventBody } from '../../test/support/factories';
import type { Bench, BenchRow } from './bench';
import { requireBundled } from './bundle';
import { DEFAULT_MEASURE_OPTIONS, measureRounds, median, medianRatio } from './measure';

const KEY_SIZES = [1024, 2048] as const;
const BODY_BYTES = 1024;

const LIMIT = 'crypto.verify, cached KeyObject (the limit)';
const OURS = 'FluentSignatureVerifier.verify';
const SDK = '@fluentcommerce/fc-connect-sdk (WebCrypto, awaited)';

/** A representative Fluent event padded to exactly `bytes` bytes of UTF-8 JSON. */
function fluentEventOfSize(bytes: number): Buffer {
  const unpadded = fluentEventBody({ attributes: { trackingNumber: 'TRK123', note: '' } }).length;
  const body = fluentEventBody({ attributes: { trackingNumber: 'TRK123', note: 'x'.repeat(bytes - unpadded) } });
  if (body.length !== bytes) throw new Error(`The bench body is ${body.length} bytes, not ${bytes}.`);
  return body;
}

/** The headers API Gateway hands a Lambda for a Fluent webhook, so header lookup is timed as in production. */
function gatewayHeaders(signatures: Record<string, string>): Record<string, string> {
  return {
    Accept: 'application/json',
    'Content-Type': 'application/json',
    Host: 'abc123.execute-api.eu-west-1.amazonaws.com',
    'User-Agent': 'Apache-HttpClient/4.5.13 (Java/17.0.8)',
    'X-Amzn-Trace-Id': 'Root=1-6560a1b2-0123456789abcdef01234567',
    'X-Forwarded-For': '203.0.113.7',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
    'Fluent-Signature': signatures[FLUENT_SIGNATURE_HEADER] as string,
    'flex.signature': signatures[FLEX_SIGNATURE_HEADER] as string,
  };
}

const quietLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export const verifierBench: Bench = {
  name: 'verifier',
  async run() {
    const { FluentSignatureVerifier, parseFluentPublicKey, signFluentPayload } = requireBundled<
      typeof import('../../lambdas/core')
    >(join(__dirname, '..', '..', 'lambdas', 'core', 'index.ts'));
    const body = fluentEventOfSize(BODY_BYTES);
    const bodyText = body.toString('utf8');
    const rows: BenchRow[] = [];
    const sdkMd5Results: boolean[] = [];

    for (const bits of KEY_SIZES) {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
      const fluentKey = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
      const signatures = signFluentPayload(body, privateKey);
      const headers = gatewayHeaders(signatures);
      const cachedKey: KeyObject = parseFluentPublicKey(fluentKey, 'bench').keyObject;
      const signatureBytes = Buffer.from(signatures[FLUENT_SIGNATURE_HEADER], 'base64');
      const ours = new FluentSignatureVerifier({ publicKeys: [parseFluentPublicKey(fluentKey, 'bench')] });
      const sdk = new WebhookValidationService(
        { algorithm: SdkAlgorithm.SHA512_WITH_RSA, strictValidation: false },
        quietLogger,
      );

      const contenders = [
        { label: LIMIT, operation: () => cryptoVerify('sha512', body, cachedKey, signatureBytes) },
        { label: OURS, operation: () => ours.verify(body, headers) },
        {
          label: SDK,
          operation: () =>
            sdk.validateWebhookSignature(
              bodyText,
              signatures[FLUENT_SIGNATURE_HEADER],
              fluentKey,
              SdkAlgorithm.SHA512_WITH_RSA,
            ),
        },
      ];
      // Time only contenders that give the right answer.
      if (contenders[0]?.operation() !== true) throw new Error('crypto.verify rejected a valid signature');
      if (!ours.verify(body, headers).ok) throw new Error('FluentSignatureVerifier rejected a valid signature');
      if (!(await sdk.validateWebhookSignature(bodyText, signatures[FLUENT_SIGNATURE_HEADER], fluentKey)).isValid) {
        throw new Error('fc-connect-sdk rejected a valid signature');
      }
      const md5 = await sdk.validateWebhookSignature(
        bodyText,
        signatures[FLEX_SIGNATURE_HEADER],
        fluentKey,
        SdkAlgorithm.MD5_WITH_RSA,
      );
      sdkMd5Results.push(md5.isValid);

      const { cpu, wall } = await measureRounds(contenders);
      for (const { label } of contenders) {
        rows.push({
          label: `${bits}-bit  ${label}`,
          values: [
            median(cpu.get(label) ?? []),
            medianRatio(cpu, label, LIMIT),
            median(wall.get(label) ?? []),
            medianRatio(wall, label, LIMIT),
          ],
        });
      }
    }

    const { rounds, roundMs, warmUpMs } = DEFAULT_MEASURE_OPTIONS;
    return {
      title: `Signature verifications per second (fluent-signature, SHA512withRSA, ${BODY_BYTES}-byte body, one at a time)`,
      columns: ['ops/CPU s', '× limit', 'ops/wall s', '× limit (wall)'],
      rows,
      notes: [
        `Median of ${rounds} rounds of about ${roundMs} ms CPU each, every round running all contenders in a fresh random order, after a ${warmUpMs} ms warm-up each; ratios are medians of per-round ratios to the limit. "CPU s" is this process's user + system time over all its threads (other load on the machine does not count); "wall s" is elapsed time (it does, so it is noisier on a busy machine).`,
        `"${OURS}" runs bundled by esbuild, as deployed. It gets the raw body as a Buffer and API Gateway's ${Object.keys(gatewayHeaders({})).length} request headers (any casing), and decodes the base64 signature on every call; the limit gets the decoded signature.`,
        `"${SDK}" is async: each call is awaited before the next, while ours and the limit are sync calls. WebCrypto verifies on a worker thread: the CPU column leaves out the hand-off waits, the wall column counts them. It imports the key once and caches it. Its logger is a no-op here.`,
        sdkMd5Results.every((valid) => !valid)
          ? 'The SDK rejects a valid flex.signature (MD5withRSA): WebCrypto has no MD5 and it imports the key for SHA-1, so it is timed on fluent-signature only.'
          : 'The SDK accepted a valid flex.signature in this run.',
      ],
    };
  },
};
