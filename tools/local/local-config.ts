import { join, resolve } from 'node:path';
import {
  CONSUMER_BATCH_SIZE,
  CONSUMER_MAX_CONCURRENCY,
  CONSUMER_MEMORY_SIZE_MB,
  CONSUMER_TIMEOUT_SECONDS,
  DEFAULT_MAX_RECEIVE_COUNT,
  DEFAULT_STAGE_NAME,
  QUEUE_RETENTION_DAYS,
  RECEIVER_MEMORY_SIZE_MB,
  RECEIVER_TIMEOUT_SECONDS,
} from '../../lambdas/contract/deployment';
import { pathSecretProblems } from '../../lambdas/contract/path-secret-rules';
import {
  deduplicationWindowProblem,
  MAX_SQS_MESSAGE_BYTES,
  RawReceiverSettings,
  rawSettingsFromEnv,
  ReceiverSettings,
  SETTING_ENV_NAMES,
} from '../../lambdas/core';
import type { ConfigurationProblem } from '../../lambdas/core/errors';
import { configurationError } from '../../lambdas/core/configuration-problems';
import { readReceiverSettings, settingEnvName } from '../../lambdas/core/settings';
import { readStatusOrder, type StatusOrder } from '../../lambdas/core/stale-status';
import { PATH_SECRET_ENV, RuntimeEnv } from '../../lambdas/contract/environment';
import { DEFAULT_INGRESS, ingressProblem, IngressName, isIngressName } from '../../lambdas/contract/ingress';
import {
  DEFAULT_ORDERING,
  isOrderingName,
  Ordering,
  orderingIngressProblem,
  orderingProblem,
  OrderingName,
} from '../../lambdas/contract/ordering';
import { DEFAULT_HISTORY_RETENTION_DAYS, historyRetentionProblem } from '../../lambdas/contract/history';
import {
  readSweepSettings,
  ReconciliationSweepSettings,
  SWEEP_DEFAULTS,
} from '../../lambdas/contract/reconciliation-sweep';
import { DATA_DIR_ENV, DEFAULT_DATA_DIR, displayPath, resolveDataDir } from './data-dir';
import { PACKAGE_ROOT } from '../../lambdas/contract/package-root';
import type { HandlersModule } from './load-handlers';
import { LOOPBACK_HOST } from './local-aws-config';
import { ensureLocalKeyPair, LocalKeyPair } from './local-key-pair';
import { LocalPathSecret, resolvePathSecret } from './path-secret';
import { FLUENT_STAND_IN_ENV_NAMES, LocalFluentApiConfig, readLocalFluentApi } from './local-fluent-api';
import { LOG_FORMAT_ENV, logFormatProblem } from './terminal/log-format';

/** Environment variables only the local runner reads; receiver settings use {@link SETTING_ENV_NAMES}. */
export const LOCAL_ENV_NAMES = {
  port: 'PORT',
  pathSecret: PATH_SECRET_ENV,
  dataDir: DATA_DIR_ENV,
  batchSize: 'BATCH_SIZE',
  visibilityTimeoutSeconds: 'VISIBILITY_TIMEOUT_SECONDS',
  maxReceiveCount: 'MAX_RECEIVE_COUNT',
  consumerTimeoutSeconds: 'CONSUMER_TIMEOUT_SECONDS',
  handlersModule: 'LOCAL_HANDLERS_MODULE',
  ingress: RuntimeEnv.INGRESS,
  ordering: RuntimeEnv.ORDERING,
  staleStatusGuard: RuntimeEnv.STALE_STATUS_GUARD,
  historyRetentionDays: RuntimeEnv.HISTORY_RETENTION_DAYS,
  fluentStandInFaults: FLUENT_STAND_IN_ENV_NAMES.faults,
  fluentStandInTokenSeconds: FLUENT_STAND_IN_ENV_NAMES.tokenSeconds,
  fluentStandInPort: FLUENT_STAND_IN_ENV_NAMES.port,
  fluentStandInData: FLUENT_STAND_IN_ENV_NAMES.data,
  logFormat: LOG_FORMAT_ENV,
  /** JSON, as the context key `reconciliationSweep`: turns the runner's interval sweep on. */
  reconciliationSweep: RuntimeEnv.RECONCILIATION_SWEEP,
  /** Seconds between two local sweeps. @default the sweep's everyMinutes, in seconds */
  reconciliationSweepSeconds: 'RECONCILIATION_SWEEP_SECONDS',
} as const;

/** The environment variable the local runner reads a setting from, by the setting's name in the checks. */
function localName(setting: string): string {
  return (LOCAL_ENV_NAMES as Record<string, string | undefined>)[setting] ?? settingEnvName(setting);
}

/** The account id of the events in `samples/`, accepted when FLUENT_ACCOUNT_IDS is not set. */
export const SAMPLE_ACCOUNT_ID = 'ACME';

/** The stack's defaults (`lambdas/contract/deployment.ts`), so that a local run behaves like a deployment unless told otherwise. */
export const LOCAL_DEFAULTS = {
  port: 3000,
  dataDir: DEFAULT_DATA_DIR,
  batchSize: CONSUMER_BATCH_SIZE,
  maxReceiveCount: DEFAULT_MAX_RECEIVE_COUNT,
  /**
   * Shorter than in AWS (6x the consumer's timeout, 180 s by default) so that a failing event reaches the DLQ
   * in seconds, not a quarter of an hour, when trying things out. Set VISIBILITY_TIMEOUT_SECONDS to match the stack.
   */
  visibilityTimeoutSeconds: 5,
  // The queue and the DLQ share these (1 MiB, 14 days).
  maximumMessageSizeBytes: MAX_SQS_MESSAGE_BYTES,
  retentionPeriodSeconds: QUEUE_RETENTION_DAYS * 24 * 3600,
  receiverTimeoutSeconds: RECEIVER_TIMEOUT_SECONDS,
  receiverMemorySizeMb: RECEIVER_MEMORY_SIZE_MB,
  consumerTimeoutSeconds: CONSUMER_TIMEOUT_SECONDS,
  consumerMemorySizeMb: CONSUMER_MEMORY_SIZE_MB,
  /** Batches handled at once with per-entity ordering, as the event source's `maxConcurrency`. */
  consumerMaxConcurrency: CONSUMER_MAX_CONCURRENCY,
  stageName: DEFAULT_STAGE_NAME,
} as const;

/** The queue and dead-letter queue names of an ordering, and those of the other one (which may still hold messages). */
export function localQueueNames(ordering: OrderingName): {
  readonly queue: string;
  readonly deadLetterQueue: string;
  readonly otherOrdering: readonly string[];
} {
  const standard = [LOCAL_RESOURCE_NAMES.queue, LOCAL_RESOURCE_NAMES.deadLetterQueue] as const;
  const fifo = [LOCAL_RESOURCE_NAMES.fifoQueue, LOCAL_RESOURCE_NAMES.fifoDeadLetterQueue] as const;
  const [mine, other] = ordering === Ordering.PER_ENTITY ? [fifo, standard] : [standard, fifo];
  return { queue: mine[0], deadLetterQueue: mine[1], otherOrdering: other };
}

/** The resource names the runner creates, mirroring the stack's roles. */
export const LOCAL_RESOURCE_NAMES = {
  queue: 'fluent-webhooks',
  deadLetterQueue: 'fluent-webhooks-dlq',
  /** The queues of ORDERING=per-entity: FIFO, beside the standard ones, so switching strands nothing. */
  fifoQueue: 'fluent-webhooks.fifo',
  fifoDeadLetterQueue: 'fluent-webhooks-dlq.fifo',
  /** Where `fluent-webhook reconcile` puts backfilled (unsigned) events; the consumer takes them from here only. */
  reconciliationQueue: 'fluent-webhooks-reconciliation',
  /** The interval sweep's checkpoints (RECONCILIATION_SWEEP). */
  checkpointTable: 'fluent-webhooks-reconciliation-checkpoints',
  idempotencyTable: 'fluent-webhooks-idempotency',
  historyTable: 'fluent-webhooks-history',
  /** Bodies too large for their history item (in the SQS emulator, fauxqs, which also answers S3). */
  historyBucket: 'fluent-webhooks-history-bodies',
  receiverFunction: 'fluent-webhook-receiver-local',
  consumerFunction: 'fluent-webhook-consumer-local',
} as const;

export interface LocalConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly pathSecret: LocalPathSecret;
  /** The same model the stack builds from context, read here from the environment. */
  readonly settings: ReceiverSettings;
  /** Set when no FLUENT_PUBLIC_KEYS was given and the local test key pair is used instead. */
  readonly localKeyPair?: LocalKeyPair;
  readonly batchSize: number;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  /**
   * The consumer Lambda's timeout: the remaining time its context starts with (it bounds the idempotency
   * in-progress lock), how long the poller waits for a batch before treating it as failed, and how long a stop
   * waits for the batch in hand.
   */
  readonly consumerTimeoutSeconds: number;
  /** The module exporting `handlers`: `--handlers`, else LOCAL_HANDLERS_MODULE, else the package's `handlers/index.ts`. */
  readonly handlersModule: HandlersModule;
  /** `--watch`: reload the handlers when their files change. */
  readonly watch: boolean;
  /** The door: the verifying handler (`verify-first`) or the stack's SQS mapping template (`queue-first`). */
  readonly ingress: IngressName;
  /** `per-entity`: FIFO queues, one message group per root entity, and a poller that keeps each group in line. */
  readonly ordering: OrderingName;
  /** The stale-status guard's status order per entity type (STALE_STATUS_GUARD, JSON); undefined: off. */
  readonly staleStatusGuard?: StatusOrder;
  /** Days the history keeps a record (the TTL written); at least the de-duplication window. */
  readonly historyRetentionDays: number;
  /** What `context.fluent` calls: the local Fluent stand-in, or FLUENT_API_URL when set. */
  readonly fluentApi: LocalFluentApiConfig;
  /** RECONCILIATION_SWEEP: the recent sweep, run every `intervalSeconds`; undefined: off. */
  readonly reconciliationSweep?: { readonly settings: ReconciliationSweepSettings; readonly intervalSeconds: number };
  /** Things the person starting the runner should know about the configuration, to log as warnings. */
  readonly notices: readonly string[];
}

/** What the `fluent-webhook local` command line adds to the environment. */
export interface LocalOptions {
  /** `--handlers`: the user's handlers module, relative to the working directory; wins over LOCAL_HANDLERS_MODULE. */
  readonly handlers?: string;
  /** `--watch` (on under npm start): reload the handlers when their files change, without a restart. */
  readonly watch?: boolean;
}

/** The package's own handler map (this repository's `handlers/` in a checkout), bundled from its TypeScript source. */
export const DEFAULT_HANDLERS_MODULE: HandlersModule = {
  path: join(PACKAGE_ROOT, 'handlers', 'index.ts'),
  setBy: 'The default handlers module',
};

/**
 * Reads the local runner's configuration from the environment (and the command line's `options`). Receiver settings go through the same
 * `parseReceiverSettings` as the stack, with two local conveniences so that a bare `npm start` works:
 * no keys means the local test key pair, and no account ids means the samples' account.
 * Throws one {@link ConfigurationError} listing every problem.
 */
export async function loadLocalConfig(
  env: Readonly<Record<string, string | undefined>>,
  options: LocalOptions = {},
): Promise<LocalConfig> {
  const problems: ConfigurationProblem[] = [];
  const notices: string[] = [];
  const number = (setting: keyof typeof LOCAL_ENV_NAMES, fallback: number, min: number, max: number): number => {
    const text = env[LOCAL_ENV_NAMES[setting]];
    if (text === undefined || text.trim() === '') return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push({ setting, message: `is "${text}"; use a whole number from ${min} to ${max}.` });
      return fallback;
    }
    return value;
  };

  const port = number('port', LOCAL_DEFAULTS.port, 0, 65535);
  // Lambda's SQS event source takes up to 10,000; one local ReceiveMessage call returns at most 10.
  const batchSize = number('batchSize', LOCAL_DEFAULTS.batchSize, 1, 10_000);
  // At least 1 s: at 0 a failing record would come straight back, round and round, until it reached the DLQ.
  const visibilityTimeoutSeconds = number(
    'visibilityTimeoutSeconds',
    LOCAL_DEFAULTS.visibilityTimeoutSeconds,
    1,
    43_200,
  );
  const maxReceiveCount = number('maxReceiveCount', LOCAL_DEFAULTS.maxReceiveCount, 1, 1000);
  // Lambda's own range: 1 s to 15 minutes.
  const consumerTimeoutSeconds = number('consumerTimeoutSeconds', LOCAL_DEFAULTS.consumerTimeoutSeconds, 1, 900);
  const dataDir = resolveDataDir(env);
  const handlersModule = chooseHandlersModule(options.handlers, env[LOCAL_ENV_NAMES.handlersModule]);

  const ingressText = env[LOCAL_ENV_NAMES.ingress]?.trim() || undefined;
  const problem = ingressProblem('ingress', ingressText);
  if (problem !== undefined) problems.push(problem);
  const ingress = isIngressName(ingressText) ? ingressText : DEFAULT_INGRESS;
  const orderingText = env[LOCAL_ENV_NAMES.ordering]?.trim() || undefined;
  const badOrdering =
    orderingProblem('ordering', orderingText) ?? orderingIngressProblem('ordering', orderingText, ingress);
  if (badOrdering !== undefined) problems.push(badOrdering);
  const ordering = isOrderingName(orderingText) ? orderingText : DEFAULT_ORDERING;
  const guardText = env[LOCAL_ENV_NAMES.staleStatusGuard]?.trim() || undefined;
  const guard = guardText === undefined ? undefined : readStatusOrder('staleStatusGuard', guardText);
  if (guard !== undefined) problems.push(...guard.problems);

  const pathSecret = resolvePathSecret(env[LOCAL_ENV_NAMES.pathSecret], dataDir);
  problems.push(...pathSecretProblems(pathSecret.secret));

  const raw: RawReceiverSettings = rawSettingsFromEnv(env);
  let localKeyPair: LocalKeyPair | undefined;
  if (raw.publicKeys === undefined) {
    localKeyPair = await ensureLocalKeyPair(dataDir);
    raw.publicKeys = localKeyPair.publicKeyPath;
    notices.push(
      `${SETTING_ENV_NAMES.publicKeys} is not set: verifying with the local test key pair in ${displayPath(localKeyPair.dir)}${localKeyPair.created ? ' (created now)' : ''}. Set it to your Fluent public key to verify real Fluent webhooks.`,
    );
  }
  if (raw.accountIds === undefined) {
    raw.accountIds = SAMPLE_ACCOUNT_ID;
    notices.push(
      `${SETTING_ENV_NAMES.accountIds} is not set: accepting events for the sample account ${SAMPLE_ACCOUNT_ID} only. Set it to your Fluent account ids.`,
    );
  }
  const { settings, problems: settingProblems } = readReceiverSettings(raw);
  problems.push(...settingProblems);
  // The local queues keep messages as long as the stack's (14 days), and the data folder keeps them across runs.
  const windowProblem =
    settings === undefined
      ? undefined
      : deduplicationWindowProblem(settings.idempotencyExpirySeconds, LOCAL_DEFAULTS.retentionPeriodSeconds);
  if (windowProblem !== undefined) problems.push(windowProblem);
  const historyRetentionDays = number('historyRetentionDays', DEFAULT_HISTORY_RETENTION_DAYS, 1, 36_500);
  const retentionProblem =
    settings === undefined
      ? undefined
      : historyRetentionProblem(historyRetentionDays, settings.idempotencyExpirySeconds);
  if (retentionProblem !== undefined) problems.push(retentionProblem);
  if (settings?.allowList.accountIds === '*') {
    notices.push(
      `${SETTING_ENV_NAMES.accountIds} is *: events for ANY Fluent account are accepted. Use this for trying things out only.`,
    );
  }

  const fluentApi = await readLocalFluentApi(env, SAMPLE_ACCOUNT_ID, problems);
  const sweepText = env[LOCAL_ENV_NAMES.reconciliationSweep]?.trim() || undefined;
  const sweep = sweepText === undefined ? undefined : readSweepSettings(LOCAL_ENV_NAMES.reconciliationSweep, sweepText);
  if (sweep !== undefined) problems.push(...sweep.problems);
  const sweepSeconds = number(
    'reconciliationSweepSeconds',
    60 * (sweep?.settings?.everyMinutes ?? SWEEP_DEFAULTS.everyMinutes),
    1,
    86_400,
  );
  const formatProblem = logFormatProblem(env);
  if (formatProblem !== undefined) problems.push(formatProblem);

  if (problems.length > 0 || settings === undefined) {
    throw configurationError('Invalid local configuration (set these environment variables)', problems, {
      nameOf: localName,
    });
  }
  return {
    host: LOOPBACK_HOST,
    port,
    dataDir,
    pathSecret,
    settings,
    ...(localKeyPair === undefined ? {} : { localKeyPair }),
    batchSize,
    visibilityTimeoutSeconds,
    maxReceiveCount,
    consumerTimeoutSeconds,
    handlersModule,
    watch: options.watch === true,
    ingress,
    ordering,
    ...(guard?.order === undefined ? {} : { staleStatusGuard: guard.order }),
    historyRetentionDays,
    fluentApi,
    ...(sweep?.settings === undefined
      ? {}
      : { reconciliationSweep: { settings: sweep.settings, intervalSeconds: sweepSeconds } }),
    notices,
  };
}

function chooseHandlersModule(flag: string | undefined, variable: string | undefined): HandlersModule {
  if (flag?.trim()) return { path: resolve(process.cwd(), flag.trim()), setBy: '--handlers' };
  if (variable?.trim()) return { path: resolve(process.cwd(), variable.trim()), setBy: LOCAL_ENV_NAMES.handlersModule };
  return DEFAULT_HANDLERS_MODULE;
}
