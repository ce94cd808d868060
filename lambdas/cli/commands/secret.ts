import { randomBytes } from 'node:crypto';
import { CliCommand, ExitCode } from '../command';
import { parseOptions } from '../parse-options';

/** 32 random bytes: 256 bits, 43 URL-safe characters. */
const SECRET_BYTES = 32;

export const secretCommand: CliCommand = {
  name: 'secret',
  summary: 'Print a random URL-safe secret for the webhook path segment.',
  usage: [
    'Usage: fluent-webhook secret',
    '',
    `Prints ${SECRET_BYTES} random bytes as base64url (43 characters of A-Z a-z 0-9 - _), for the secret`,
    'path segment of the webhook URL (https://host/<secret>/fluent/...). Fluent cannot send an auth header,',
    'so a hard-to-guess path lets a firewall or WAF drop everything else before it reaches the verifier.',
  ].join('\n'),

  run(argv, io) {
    parseOptions(argv, {});
    io.out(randomBytes(SECRET_BYTES).toString('base64url'));
    return ExitCode.OK;
  },
};
