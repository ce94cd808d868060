import { join } from 'node:path';
import { createLogger } from '../../../lambdas/shared/observability';
import { Component } from '../../../lambdas/contract/observability';
import { moveJsonLogLinesToStdout } from '../json-logs-on-stdout';
import { displayPath, resolveDataDir } from '../data-dir';
import { LOCAL_DEFAULTS, LOCAL_ENV_NAMES } from '../local-config';
import { LOOPBACK_HOST } from '../local-aws-config';
import { waitForStopSignal } from '../run-local-receiver';
import { APP_DATA_SUBDIR, AppRunner, startAppRunner } from './app-runner';

export interface AppOptions {
  /** `--app`: the cloud assembly folder. */
  readonly app: string;
  /** `--stack`: needed when the assembly has several stacks. */
  readonly stack?: string;
}

/** The route of the example URL, as npm start shows it. */
const EXAMPLE_ROUTE = 'orders';
/** Shown instead of the template's path secret: the template holds a deployed secret, which never reaches a log. */
const SECRET_PLACEHOLDER = '{path secret}';

/**
 * `fluent-webhook local --app <cdk.out>`: runs the synthesized stack locally (see {@link startAppRunner}) with the
 * same logs, PORT and stop signals as `npm start`. Its data folder is `<LOCAL_DATA_DIR or .local>/app/<stack>`, so it
 * never mixes its queues with npm start's. Resolves with the exit code once stopped (or 1 if it could not start).
 */
export function runAppReceiver(
  env: Readonly<Record<string, string | undefined>>,
  options: AppOptions,
): Promise<number> {
  moveJsonLogLinesToStdout();
  const logger = createLogger(Component.LOCAL);
  return new Promise<number>((done) => {
    const start = async (): Promise<void> => {
      const startedAt = performance.now();
      const runner = await startAppRunner({
        assemblyDir: options.app,
        ...(options.stack === undefined ? {} : { stackName: options.stack }),
        host: LOOPBACK_HOST,
        port: portFrom(env),
        dataDir: join(resolveDataDir(env), APP_DATA_SUBDIR),
        logger,
      });
      for (const notice of runner.notices) logger.warn(notice);
      announce(runner, options, Math.round(performance.now() - startedAt), logger);
      waitForStopSignal(runner, logger, done);
    };
    start().catch((error: unknown) => {
      logger.error('local receiver could not start', { error: error as Error });
      done(1);
    });
  });
}

function announce(
  runner: AppRunner,
  options: AppOptions,
  startMs: number,
  logger: ReturnType<typeof createLogger>,
): void {
  const webhook = runner.methods.find((method) => method.resourcePath.endsWith('{route+}')) ?? runner.methods[0];
  // The secret is the first path part of the webhook resource; the log shows where it goes, never what it is.
  const pattern =
    webhook === undefined
      ? undefined
      : `${runner.gatewayOrigin}${webhook.resourcePath.replace(/^\/[^/]+/, `/${SECRET_PLACEHOLDER}`).replace(/\{route\+\}$/, '{route}')}`;
  logger.info('local receiver ready', {
    app: displayPath(options.app),
    stack: runner.stackName,
    ingress: runner.ingress,
    gatewayOrigin: runner.gatewayOrigin,
    webhookUrlPattern: pattern,
    methods: runner.methods.map(
      (method) => `${method.httpMethod} ${method.resourcePath.replace(/^\/[^/]+/, `/${SECRET_PLACEHOLDER}`)}`,
    ),
    sqsEndpoint: runner.sqsEndpoint,
    queueUrls: runner.queues,
    dynamoDbEndpoint: runner.dynamoDbEndpoint,
    tableNames: runner.tables,
    functions: runner.functions,
    startMs,
  });
  if (pattern !== undefined) {
    logger.info('send a signed sample event with', {
      command: `npx fluent-webhook send --url ${pattern.replace('{route}', EXAMPLE_ROUTE)} --sample order-status-change --private-key <the private key of the template's public key>`,
    });
  }
}

function portFrom(env: Readonly<Record<string, string | undefined>>): number {
  const text = env[LOCAL_ENV_NAMES.port]?.trim();
  if (text === undefined || text === '') return LOCAL_DEFAULTS.port;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${LOCAL_ENV_NAMES.port} is "${text}"; use a whole number from 0 to 65535 (0 picks a free port).`);
  }
  return port;
}
