import { splitList } from '../../../lambdas/core/key-sources';
import { pathSecretFingerprint } from '../../../lambdas/core/path-secret-fingerprint';
import { CliCommand, ExitCode, UsageError } from '../command';
import { parseOptions } from '../parse-options';
import { generatePathSecret, PATH_SECRET_BYTES } from '../generate-path-secret';

export const secretCommand: CliCommand = {
  name: 'secret',
  summary: 'Print a random URL-safe secret for the webhook path segment, or the fingerprint of one.',
  usage: [
    'Usage: fluent-webhook secret [--fingerprint SECRET[,SECRET...]]',
    '',
    `Prints ${PATH_SECRET_BYTES} random bytes as base64url (43 characters of A-Z a-z 0-9 - _, never a leading -),`,
    'for the secret path segment of the webhook URL (https://host/<secret>/fluent/...). Fluent cannot send an',
    'auth header, so a hard-to-guess path lets a firewall or WAF drop everything else before it reaches the',
    'verifier. Its fingerprint goes to standard error.',
    '',
    'Options:',
    '  --fingerprint SECRET   print the fingerprint of each given secret (comma-separated), one per line, instead:',
    '                         the 8 hex digits the verifying Lambda logs as pathSecretFingerprint and the stack',
    '                         outputs as PathSecretFingerprints. Keep the secret out of your shell history with',
    '                         --fingerprint "$WEBHOOK_PATH_SECRET".',
  ].join('\n'),

  run(argv, io) {
    const options = parseOptions(argv, { fingerprint: { type: 'string' } });
    if (options.fingerprint !== undefined) {
      const secrets = splitList(options.fingerprint);
      if (secrets.length === 0) throw new UsageError('--fingerprint needs a secret (several: comma-separated).');
      for (const secret of secrets) io.out(pathSecretFingerprint(secret));
      return ExitCode.OK;
    }
    const secret = generatePathSecret();
    io.out(secret);
    io.err(
      `fingerprint ${pathSecretFingerprint(secret)} (how logs and the PathSecretFingerprints output name this secret)`,
    );
    return ExitCode.OK;
  },
};
