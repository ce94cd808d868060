import { createPrivateKey, KeyObject } from 'node:crypto';
import { FLEX_SIGNATURE_HEADER, FLUENT_SIGNATURE_HEADER } from '../../../lambdas/core/constants';
import { signFluentPayload } from '../../../lambdas/core/sign-payload';
import { CliCommand, ExitCode, UsageError } from '../command';
import { parseOptions, readUserFile, required } from '../parse-options';

export const signCommand: CliCommand = {
  name: 'sign',
  summary: 'Sign a body like Fluent does and print both signature header lines.',
  usage: [
    'Usage: fluent-webhook sign --private-key FILE --body-file FILE',
    '',
    'Prints the two headers Fluent sends with a webhook, signed over the exact bytes of the body file:',
    `  ${FLUENT_SIGNATURE_HEADER}: <base64 SHA512withRSA signature>`,
    `  ${FLEX_SIGNATURE_HEADER}: <base64 MD5withRSA signature>`,
    '',
    'Options:',
    '  --private-key FILE   RSA private key, PEM (for example from fluent-webhook keygen)',
    '  --body-file FILE     the request body, byte for byte (a trailing newline is part of the body)',
  ].join('\n'),

  run(argv, io) {
    const options = parseOptions(argv, {
      'private-key': { type: 'string' },
      'body-file': { type: 'string' },
    });
    const keyPath = required(options['private-key'], 'private-key');
    const bodyPath = required(options['body-file'], 'body-file');
    const privateKey = readPrivateKey(keyPath);
    const body = readUserFile(bodyPath, 'body-file');
    const headers = signFluentPayload(body, privateKey);
    io.out(`${FLUENT_SIGNATURE_HEADER}: ${headers[FLUENT_SIGNATURE_HEADER]}`);
    io.out(`${FLEX_SIGNATURE_HEADER}: ${headers[FLEX_SIGNATURE_HEADER]}`);
    return ExitCode.OK;
  },
};

/** Reads an RSA private key (PEM) the user named with `--private-key`, or throws a {@link UsageError} saying why it is unusable. */
export function readPrivateKey(path: string): KeyObject {
  const pem = readUserFile(path, 'private-key');
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new UsageError(`--private-key ${path}: not a readable PEM private key (${(error as Error).message}).`, {
      cause: error,
    });
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new UsageError(
      `--private-key ${path}: holds a key of type ${key.asymmetricKeyType ?? 'unknown'}; Fluent signs with RSA.`,
    );
  }
  return key;
}
