import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { FLEX_SIGNATURE_HEADER, FLUENT_SIGNATURE_HEADER } from '../../../lambdas/core/constants';
import { signFluentPayload } from '../../../lambdas/core/sign-payload';
import { resolveDataDir } from '../../local/data-dir';
import { localKeyPairPaths } from '../../local/local-key-pair';
import type { CliIo } from '../cli-io';
import { CliCommand, ExitCode, ExitCodeValue, UsageError } from '../command';
import { readEventBody, sampleNames } from '../event-body';
import { parseOptions, required } from '../parse-options';
import { readPrivateKey } from './sign';
const MAX_REPEAT = 100;
const REQUEST_TIMEOUT_MS = 30_000;
const ONLY_CHOICES = { sha512: FLUENT_SIGNATURE_HEADER, md5: FLEX_SIGNATURE_HEADER } as const;

export const sendCommand: CliCommand = {
  name: 'send',
  summary: 'Sign an event like Fluent does and POST it to a webhook URL (for example the local runner).',
  usage: [
    'Usage: fluent-webhook send --url URL (--event FILE | --sample NAME) [--new-id] [--private-key FILE] [--only sha512|md5] [--repeat N]',
    '',
    'Signs the exact bytes of the event with SHA512withRSA (fluent-signature) and MD5withRSA (flex.signature),',
    'as Fluent does, POSTs them as application/json and prints the status and response of each attempt.',
    'Exit code 0 when every attempt got a 2xx answer, 1 otherwise, 2 when called wrongly.',
    '',
    'Options:',
    '  --url URL            the webhook URL, for example the one npm start prints',
    '  --event FILE         the event body to send, byte for byte',
    `  --sample NAME        or one of the sample events in samples/ (${sampleNames().join(', ')})`,
    '  --new-id             give the event a fresh id (a new UUID) before signing, so the receiver sees a new',
    '                       event instead of skipping a duplicate; the id sent is printed',
    "  --private-key FILE   RSA private key, PEM (default: the local runner's test key in .local/keys/)",
    '  --only sha512|md5    send only that signature header (to see how the receiver treats each)',
    `  --repeat N           send the same request N times, as Fluent does when it retries (default 1, at most ${MAX_REPEAT})`,
  ].join('\n'),

  async run(argv, io) {
    const options = parseOptions(argv, {
      url: { type: 'string' },
      event: { type: 'string' },
      sample: { type: 'string' },
      'private-key': { type: 'string' },
      only: { type: 'string' },
      repeat: { type: 'string' },
      'new-id': { type: 'boolean' },
    });
    const url = readUrl(required(options.url, 'url'));
    const read = readEventBody('event', options.event, options.sample);
    const body = options['new-id'] === true ? withNewId(read, io) : read;
    const privateKey = readPrivateKey(options['private-key'] ?? defaultPrivateKey(io));
    const only = readOnly(options.only);
    const repeat = readRepeat(options.repeat);

    const signatures = signFluentPayload(body, privateKey);
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    for (const header of only === undefined ? Object.values(ONLY_CHOICES) : [ONLY_CHOICES[only]]) {
      headers[header] = signatures[header];
    }
    io.err(`POST ${url.origin}/… (${body.length} bytes, signed: ${Object.keys(headers).slice(1).join(', ')})`);
    let failures = 0;
    for (let attempt = 1; attempt <= repeat; attempt += 1) {
      const ok = await post(url, body, headers, `[${attempt}/${repeat}]`, io);
      if (!ok) failures += 1;
    }
    return failures === 0 ? ExitCode.OK : reportFailures(failures, repeat, io);
  },
};

/** One POST; prints its outcome and returns whether it got a 2xx answer. */
async function post(
  url: URL,
  body: Buffer,
  headers: Record<string, string>,
  label: string,
  io: CliIo,
): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    io.out(`${label} ${response.status} ${response.statusText}${text.length > 0 ? ` ${text}` : ''}`);
    return response.ok;
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause;
    io.out(`${label} no answer: ${cause?.message ?? (error as Error).message}`);
    return false;
  }
}

/** The event with a fresh `id`, as Fluent gives each event it sends; everything else stays as it was. */
function withNewId(body: Buffer, io: CliIo): Buffer {
  let event: unknown;
  try {
    event = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new UsageError(`--new-id: the event is not JSON (${(error as Error).message}); send it without --new-id.`);
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new UsageError('--new-id: the event is not a JSON object; send it without --new-id.');
  }
  const id = randomUUID();
  io.err(`new event id ${id}`);
  return Buffer.from(`${JSON.stringify({ ...event, id }, null, 2)}\n`, 'utf8');
}

function reportFailures(failures: number, repeat: number, io: CliIo): ExitCodeValue {
  io.err(`${failures} of ${repeat} attempt(s) did not get a 2xx answer.`);
  return ExitCode.FAILED;
}

function readUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new UsageError(
      `--url ${text}: not a URL; give the full webhook URL, for example http://127.0.0.1:3000/<secret>/fluent/orders.`,
      { cause: error },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--url ${text}: use an http:// or https:// URL.`);
  }
  return url;
}

/** The local runner's test key (created by the first `npm start`), honouring its LOCAL_DATA_DIR. */
function defaultPrivateKey(io: CliIo): string {
  const { privateKeyPath } = localKeyPairPaths(resolveDataDir(io.env));
  if (!existsSync(privateKeyPath)) {
    throw new UsageError(
      `--private-key is required: there is no local test key at ${privateKeyPath} yet (npm start creates it), or make one with fluent-webhook keygen.`,
    );
  }
  return privateKeyPath;
}

function readOnly(value: string | undefined): keyof typeof ONLY_CHOICES | undefined {
  if (value === undefined) return undefined;
  if (value === 'sha512' || value === 'md5') return value;
  throw new UsageError(`--only ${value}: use sha512 (fluent-signature) or md5 (flex.signature).`);
}

function readRepeat(value: string | undefined): number {
  if (value === undefined) return 1;
  const repeat = Number(value);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > MAX_REPEAT) {
    throw new UsageError(`--repeat ${value}: use a whole number from 1 to ${MAX_REPEAT}.`);
  }
  return repeat;
}
