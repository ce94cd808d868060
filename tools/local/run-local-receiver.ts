import { join } from 'node:path';
import type { Logger } from '@aws-lambda-powertools/logger';
import { createLogger } from '../../lambdas/shared/observability';
import { moveJsonLogLinesToStdout } from './json-logs-on-stdout';
import { writeOncePerTurn } from './stdout-once-per-turn';
import { chooseLogFormat, LogFormat } from './terminal/log-format';
import { renderLogLine } from './terminal/render-log-line';
import { displayPath, resolveDataDir } from './data-dir';
import { LOCAL_ENV_NAMES, LocalConfig, LocalOptions, loadLocalConfig } from './local-config';
import { LocalRunner, startLocalRunner } from './local-runner';
import { PATH_SECRET_FILE } from './path-secret';
import { makeDataDirPrivate } from './private-data-dir';
import { Component } from '../../lambdas/contract/observability';

/** How long a clean stop may take before the process gives up and exits with an error. */
const STOP_DEADLINE_MS = 60_000;
/** How long a stopped runner waits for leftover work to end before it exits anyway. */
const LINGER_MS = 1000;
/** The route used in the example command. */
const EXAMPLE_ROUTE = 'orders';

/**
 * `fluent-webhook local` (what `npm start` runs): the whole receiver on this machine, configured from `env`.
 * Logs are JSON lines on stdout, or on a terminal a banner and one readable line per event (LOG_FORMAT);
 * SIGINT or SIGTERM stop it cleanly. Resolves with the process's exit code once
 * the runner has stopped (or could not start).
 */
export function runLocalReceiver(
  env: Readonly<Record<string, string | undefined>>,
  options: LocalOptions = {},
): Promise<number> {
  writeOncePerTurn(process.stdout);
  if (chooseLogFormat(env, process.stdout.isTTY === true) === LogFormat.PRETTY) {
    const style = { colour: process.stdout.isTTY === true && !env.NO_COLOR };
    moveJsonLogLinesToStdout((line) => renderLogLine(line, style));
  } else {
    moveJsonLogLinesToStdout();
  }
  const logger = createLogger(Component.LOCAL);
  return new Promise<number>((done) => {
    const start = async (): Promise<void> => {
      // Before anything is written there: the path secret, the test key, the stores.
      makeDataDirPrivate(resolveDataDir(env));
      const config = await loadLocalConfig(env, options);
      for (const notice of config.notices) logger.warn(notice);
      const runner = await startLocalRunner(config, logger);
      announce(runner, config, logger);
      waitForStopSignal(runner, logger, done);
    };
    start().catch((error: unknown) => {
      logger.error('local receiver could not start', { error: error as Error });
      done(1);
    });
  });
}

function announce(runner: LocalRunner, config: LocalConfig, logger: Logger): void {
  const privateKeyPath = config.localKeyPair?.privateKeyPath;
  const webhookUrl = `${runner.webhookBaseUrl}${EXAMPLE_ROUTE}`;
  if (Object.values(runner.restored).some((count) => count > 0)) {
    logger.info('queued messages restored from the last run', { restored: runner.restored });
  }
  // `send` finds the local key by itself in the default data folder; elsewhere the command names it.
  const keyFlag =
    privateKeyPath === undefined
      ? ' --private-key <the private key of FLUENT_PUBLIC_KEYS>'
      : config.dataDir === resolveDataDir({})
        ? ''
        : ` --private-key ${displayPath(privateKeyPath)}`;
  logger.info('local receiver ready', {
    ingress: config.ingress,
    ordering: config.ordering,
    webhookUrl,
    webhookUrlPattern: `${runner.webhookBaseUrl}{route}`,
    handlersModule: displayPath(config.handlersModule.path),
    watch: config.watch,
    pathSecret:
      config.pathSecret.source === 'env'
        ? `from ${LOCAL_ENV_NAMES.pathSecret}`
        : `generated, kept in ${displayPath(join(config.dataDir, PATH_SECRET_FILE))}`,
    privateKey: privateKeyPath === undefined ? undefined : displayPath(privateKeyPath),
    sqsEndpoint: runner.sqsEndpoint,
    queueUrl: runner.queueUrl,
    deadLetterQueueUrl: runner.deadLetterQueueUrl,
    dynamoDbEndpoint: runner.dynamoDbEndpoint,
    idempotencyTableName: runner.idempotencyTableName,
    fluentApiUrl: runner.fluentApiUrl,
    fluentStandInControlUrl: runner.fluentStandInControlUrl,
    inspectorUrl: runner.inspectorUrl,
  });
  logger.info('send a signed sample event with', {
    command: `npx fluent-webhook send --url ${webhookUrl} --sample order-status-change --new-id${keyFlag}`,
  });
  logger.info('move dead-lettered messages back to the queue with', {
    command: `npx fluent-webhook redrive --mode copy --endpoint ${runner.sqsEndpoint} --dlq-url ${runner.deadLetterQueueUrl} --destination-url ${runner.queueUrl}`,
  });
}

/**
 * Stops `runner` cleanly on SIGINT or SIGTERM, logging what it saved; `done` gets the exit code. A runner whose
 * emulator died is stopped the same way, and exits 1.
 */
export function waitForStopSignal(
  runner: Pick<LocalRunner, 'stop'> & Partial<Pick<LocalRunner, 'emulatorDied'>>,
  logger: Logger,
  done: (code: number) => void,
): void {
  let stopping = false;
  let exitCode = 0;
  const stop = (signal: NodeJS.Signals | undefined): void => {
    if (stopping) {
      if (signal !== undefined) logger.warn('already stopping; waiting for in-flight work to finish', { signal });
      return;
    }
    stopping = true;
    logger.info('stopping: answering in-flight requests and finishing the current batch', { signal });
    const deadline = setTimeout(() => {
      logger.error('could not stop within the deadline; exiting anyway', { deadlineMs: STOP_DEADLINE_MS });
      process.exit(1);
    }, STOP_DEADLINE_MS);
    deadline.unref();
    runner.stop().then(
      (saved) => {
        logger.info('stopped; queued messages saved for the next start', { saved });
        exitOnceSettled(deadline, exitCode, logger, done);
      },
      (error: unknown) => {
        logger.error('stopped with an error', { error: error as Error });
        exitOnceSettled(deadline, 1, logger, done);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  void runner.emulatorDied?.then(() => {
    exitCode = 1;
    stop(undefined);
  });
}

/**
 * Exits with `code` when the event loop empties, or after {@link LINGER_MS} if something still holds it: a
 * handler the poller gave up on at the consumer's timeout may still be waiting, and Lambda would have ended it.
 */
function exitOnceSettled(deadline: NodeJS.Timeout, code: number, logger: Logger, done: (code: number) => void): void {
  clearTimeout(deadline);
  done(code);
  // Unref'd: it fires only if something else keeps the process alive.
  setTimeout(() => {
    logger.warn('work still running after the stop (a handler past the consumer timeout?); exiting without it', {
      lingerMs: LINGER_MS,
    });
    process.exit(code);
  }, LINGER_MS).unref();
}
