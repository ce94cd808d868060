import { FluentApiEnv } from '../../../lambdas/contract/environment';
import {
  credentialsFromEnv,
  FluentApiClient,
  FluentApiError,
  fluentApiSettingsFromEnv,
  FluentEventInvalidError,
  FluentNotConfiguredError,
  FluentOutboundEvent,
  staticCredentials,
} from '../../../lambdas/fluent-api';
import type { CliIo } from '../cli-io';
import { CliCommand, ExitCode, ExitCodeValue, UsageError } from '../command';
import { parseOptions, readUserFile, required } from '../parse-options';

const SUBCOMMANDS = ['token', 'send-event'] as const;

export const fluentCommand: CliCommand = {
  name: 'fluent',
  summary: 'Call the Fluent API by hand: check the credentials (token) or post an event (send-event).',
  usage: [
    'Usage: fluent-webhook fluent token [--show-token]',
    '       fluent-webhook fluent send-event --file EVENT.json [--sync]',
    '',
    `Reads ${FluentApiEnv.API_URL}, ${FluentApiEnv.ACCOUNT}, ${FluentApiEnv.CLIENT_ID}, ${FluentApiEnv.CLIENT_SECRET}`,
    `and, for the password grant, ${FluentApiEnv.USERNAME} and ${FluentApiEnv.PASSWORD} (the same client the handlers use).`,
    'Exit code 0 when Fluent accepted, 1 when it refused or could not be reached, 2 when called wrongly.',
    '',
    'token        logs in and prints the grant, scope and lifetime of the token',
    '  --show-token   print the access token itself too (it is a credential: keep it out of logs and tickets)',
    'send-event   posts the event in FILE to /api/v4.1/event/async and prints what Fluent answered',
    '  --file FILE    the event: name, retailerId, entityType, entityRef (or entityId), attributes...',
    '  --sync         post to /event/sync instead, which runs the workflow and answers its status',
  ].join('\n'),

  async run(argv, io) {
    const [subcommand, ...rest] = argv;
    if (subcommand === 'token') {
      const options = parseOptions(rest, { 'show-token': { type: 'boolean' } });
      return call(io, async (client) => {
        const info = await client.tokenInfo();
        io.out(
          `token ok: grant ${info.grant}, scope ${info.scope ?? '(none given)'}, expires in ${info.expiresInSeconds} s`,
        );
        if (options['show-token'] === true) io.out(await client.accessToken());
      });
    }
    if (subcommand === 'send-event') {
      const options = parseOptions(rest, { file: { type: 'string' }, sync: { type: 'boolean' } });
      const event = readEvent(required(options.file, 'file'));
      return call(io, async (client) => {
        const mode = options.sync === true ? 'sync' : 'async';
        const result = await client.sendEvent(event, { mode });
        io.out(`event ${event.name} accepted (${mode}): ${JSON.stringify(result.body ?? {})}`);
      });
    }
    throw new UsageError(
      subcommand === undefined
        ? `name a subcommand: ${SUBCOMMANDS.join(' or ')}.`
        : `unknown subcommand "${subcommand}"; use ${SUBCOMMANDS.join(' or ')}.`,
    );
  },
};

/** Builds the client from the environment and runs `work`, turning Fluent's refusals into exit code 1. */
async function call(io: CliIo, work: (client: FluentApiClient) => Promise<void>): Promise<ExitCodeValue> {
  let client: FluentApiClient;
  try {
    const settings = fluentApiSettingsFromEnv(io.env);
    if (settings === undefined) {
      throw new FluentNotConfiguredError(
        `set ${FluentApiEnv.API_URL} (for example https://<account>.sandbox.api.fluentretail.com, or the stand-in npm start prints) and ${FluentApiEnv.ACCOUNT}.`,
      );
    }
    client = new FluentApiClient({ settings, credentials: staticCredentials(credentialsFromEnv(io.env)) });
  } catch (error) {
    if (error instanceof FluentNotConfiguredError) throw new UsageError(error.message);
    throw error;
  }
  try {
    await work(client);
    return ExitCode.OK;
  } catch (error) {
    // The event file lacks what Fluent needs: a call that cannot work as given.
    if (error instanceof FluentEventInvalidError) throw new UsageError(`--file: ${error.message}`);
    if (!(error instanceof FluentApiError)) throw error;
    const correlation = error.correlationId === undefined ? '' : ` (correlation id ${error.correlationId})`;
    io.err(`${error.name}: ${error.message}${correlation}`);
    return ExitCode.FAILED;
  }
}

function readEvent(path: string): FluentOutboundEvent {
  const text = readUserFile(path, 'file').toString('utf8');
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--file ${path}: not JSON (${(error as Error).message}).`, { cause: error });
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new UsageError(`--file ${path}: the event must be a JSON object.`);
  }
  return event as FluentOutboundEvent;
}
