import {
  FLEX_SIGNATURE_HEADER,
  FLUENT_SIGNATURE_HEADER,
  SignaturePolicy,
  SignaturePolicyName,
} from '../../../lambdas/core/constants';
import { ConfigurationError } from '../../../lambdas/core/errors';
import { resolveKeySources } from '../../../lambdas/core/key-sources';
import { FluentPublicKey, parseFluentPublicKeys } from '../../../lambdas/core/public-keys';
import { FluentSignatureVerifier } from '../../../lambdas/core/verify-signature';
import { CliCommand, ExitCode, UsageError } from '../command';
import { parseOptions, readUserFile, required } from '../parse-options';
import { ALGORITHM_NAMES, rejectionHints } from '../rejection-hints';

const POLICIES: readonly string[] = Object.values(SignaturePolicy);

export const verifyCommand: CliCommand = {
  name: 'verify',
  summary: 'Check a body and its signature headers against one or more public keys.',
  usage: [
    'Usage: fluent-webhook verify --public-key KEY [--public-key KEY ...] --body-file FILE',
    '                             [--fluent-signature B64] [--flex-signature B64] [--policy POLICY]',
    '',
    'Verifies the exact bytes of FILE the way the receiver does. Exit 0 when a signature is valid (it says which',
    'signature and which key matched), 1 when it is not (it says why), 2 when the call itself is wrong.',
    '',
    'Options:',
    "  --public-key KEY         a key in Fluent's base64 format, the path of a PEM public key or certificate,",
    '                           or several separated by commas; repeat the flag for more keys',
    '  --body-file FILE         the request body, byte for byte',
    `  --fluent-signature B64   the ${FLUENT_SIGNATURE_HEADER} header value (SHA512withRSA)`,
    `  --flex-signature B64     the ${FLEX_SIGNATURE_HEADER} header value (MD5withRSA)`,
    `  --policy POLICY          ${SignaturePolicy.PREFER_SHA512} (default): ${FLUENT_SIGNATURE_HEADER} decides when sent, else ${FLEX_SIGNATURE_HEADER};`,
    `                           ${SignaturePolicy.REQUIRE_SHA512}: only ${FLUENT_SIGNATURE_HEADER} is accepted`,
  ].join('\n'),

  run(argv, io) {
    const options = parseOptions(argv, {
      'public-key': { type: 'string', multiple: true },
      'body-file': { type: 'string' },
      'fluent-signature': { type: 'string' },
      'flex-signature': { type: 'string' },
      policy: { type: 'string' },
    });
    const keys = readPublicKeys(required(options['public-key'], 'public-key'));
    const bodyPath = required(options['body-file'], 'body-file');
    const policy = readPolicy(options.policy);
    const headers: Record<string, string> = {};
    if (options['fluent-signature'] !== undefined) headers[FLUENT_SIGNATURE_HEADER] = options['fluent-signature'];
    if (options['flex-signature'] !== undefined) headers[FLEX_SIGNATURE_HEADER] = options['flex-signature'];
    if (Object.keys(headers).length === 0) {
      throw new UsageError('Give --fluent-signature, --flex-signature or both (the header values as received).');
    }
    const body = readUserFile(bodyPath, 'body-file');

    const verifier = new FluentSignatureVerifier({ publicKeys: keys, policy });
    const result = verifier.verify(body, headers);
    if (result.ok) {
      io.out(
        `Valid: ${result.header} (${ALGORITHM_NAMES[result.algorithm]}) matches key ${result.keyFingerprint} (${result.keyLabel}).`,
      );
      return ExitCode.OK;
    }
    io.err(`Invalid (${result.reason}): ${result.message}`);
    for (const hint of rejectionHints(verifier, body, headers, result)) io.err(`Hint: ${hint}`);
    return ExitCode.FAILED;
  },
};

function readPublicKeys(entries: readonly string[]): FluentPublicKey[] {
  try {
    return parseFluentPublicKeys(resolveKeySources(entries));
  } catch (error) {
    if (error instanceof ConfigurationError) throw new UsageError(`--public-key: ${error.message}`, { cause: error });
    throw error;
  }
}

function readPolicy(value: string | undefined): SignaturePolicyName {
  if (value === undefined) return SignaturePolicy.PREFER_SHA512;
  if (!POLICIES.includes(value)) throw new UsageError(`--policy ${value}: use one of ${POLICIES.join(', ')}.`);
  return value as SignaturePolicyName;
}
