import { requireOptionalPackages } from '../../../lambdas/contract/optional-packages';
import { CliCommand, ExitCode, ExitCodeValue, UsageError } from '../command';
import { parseOptions } from '../parse-options';

export const localCommand: CliCommand = {
  name: 'local',
  summary: 'Run the whole receiver on this machine (what npm start runs): no AWS, no Docker.',
  usage: [
    'Usage: fluent-webhook local [--handlers PATH] [--watch]',
    '       fluent-webhook local --app CDK_OUT [--stack NAME]',
    '',
    'Starts the receiver locally: an API Gateway stand-in on 127.0.0.1 in front of the real verifying handler, an',
    'SQS emulator with the queue and its dead-letter queue, the real consumer with its idempotency records in a',
    'DynamoDB emulator, all kept in the data folder (.local/ in your project, or LOCAL_DATA_DIR). Logs are JSON',
    'lines on stdout, or on a terminal a banner and one line per event (LOG_FORMAT=json keeps JSON); Ctrl-C stops',
    'it and saves the queues. Configured by the same environment variables as npm start (PORT,',
    'WEBHOOK_PATH_SECRET, FLUENT_PUBLIC_KEYS, FLUENT_ACCOUNT_IDS, ...).',
    '',
    'Options:',
    '  --handlers PATH   your module that exports `handlers` (a FluentEventHandlers map), TypeScript or',
    '                    JavaScript, bundled with esbuild at start like the consumer Lambda bundles it',
    "                    (default: LOCAL_HANDLERS_MODULE, else the package's example handlers/index.ts)",
    '  --app CDK_OUT     run what a synthesized template describes instead (the cdk.out folder a synth writes): its',
    '                    queues, table, bundled Lambdas, API, event source and IAM policies, checked on every',
    '                    SQS and DynamoDB call. Same logs and PORT; data in <data folder>/app/<stack>',
    '  --stack NAME      the stack to run when CDK_OUT holds several',
    '  --watch           rebuild and reload the handlers when the module or a file it imports changes, between',
    '                    batches: queued events wait and run once, with the new handlers (on under npm start)',
  ].join('\n'),

  async run(argv, io) {
    const options = parseOptions(argv, {
      handlers: { type: 'string' },
      app: { type: 'string' },
      stack: { type: 'string' },
      watch: { type: 'boolean' },
    });
    if (options.app !== undefined) {
      if (options.handlers !== undefined) {
        throw new UsageError('--handlers and --app do not go together: with --app the handlers are in the bundle.');
      }
      if (options.watch === true) {
        throw new UsageError('--watch reloads --handlers; with --app, run cdk synth again and restart.');
      }
      requireOptionalPackages('fluent-webhook local');
      const { runAppReceiver } = await import('../../local/app/run-app');
      const code = await runAppReceiver(io.env, {
        app: options.app,
        ...(options.stack === undefined ? {} : { stack: options.stack }),
      });
      return code === 0 ? ExitCode.OK : (ExitCode.FAILED as ExitCodeValue);
    }
    if (options.stack !== undefined) throw new UsageError('--stack needs --app.');
    const { runLocalReceiver } = await loadRunner();
    const code = await runLocalReceiver(io.env, {
      ...(options.handlers === undefined ? {} : { handlers: options.handlers }),
      watch: options.watch === true,
    });
    return code === 0 ? ExitCode.OK : (ExitCode.FAILED as ExitCodeValue);
  },
};

/**
 * Loaded only for this command: the runner brings the emulators, esbuild and the Lambdas' dependencies, optional
 * dependencies that a verifier-only install leaves out; the other commands need none of them.
 */
async function loadRunner(): Promise<typeof import('../../local/run-local-receiver')> {
  requireOptionalPackages('fluent-webhook local');
  return import('../../local/run-local-receiver');
}
