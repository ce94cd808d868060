import * as logs from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { ConfigurationError, type ConfigurationProblem } from '../../lambdas/core/errors';
import { configurationError } from '../../lambdas/core/configuration-problems';
import { splitList } from '../../lambdas/core/key-sources';
import { PATH_SECRET_ENV } from '../../lambdas/contract/environment';
import {
  RawReceiverSettings,
  RawSettingValue,
  readReceiverSettings,
  SETTING_ENV_NAMES,
  SettingKey,
} from '../../lambdas/core/settings';
import type { FluentWebhookReceiverProps } from '../receiver/receiver-props';
import { OperationsContextKey, readOperationsConfig } from './operations-config';
import { withoutUndefined } from '../internal/without-undefined';
import type { FluentWebhookConsumerOptions } from '../consumer/consumer-props';
import type { FluentWebhookMonitoringOptions } from '../monitoring/monitoring-props';
import { findReceiverPropProblems } from '../receiver/receiver-checks';
import { resemblingName } from '../internal/closest-name';
import type { IngressName } from '../../lambdas/contract/ingress';
import type { OrderingName } from '../../lambdas/contract/ordering';

/** Context key that selects the environment: `-c env=sandbox`. */
export const ENVIRONMENT_CONTEXT_KEY = 'env';
/** Context key holding one settings block per environment: `{ "environments": { "sandbox": { ... } } }`. */
export const ENVIRONMENTS_CONTEXT_KEY = 'environments';
/** The environment used when no `env` is given and no `environments` block exists. */
export const DEFAULT_ENVIRONMENT_NAME = 'default';
export { PATH_SECRET_ENV };

/** Settings only the deployment uses (the receiver settings' keys are in `SETTING_ENV_NAMES`). */
export const DeployContextKey = {
  PATH_SECRET: 'pathSecret',
  STAGE_NAME: 'stageName',
  THROTTLING_RATE_LIMIT: 'throttlingRateLimit',
  THROTTLING_BURST_LIMIT: 'throttlingBurstLimit',
  LOG_RETENTION_DAYS: 'logRetentionDays',
  RECEIVER_RESERVED_CONCURRENCY: 'receiverReservedConcurrency',
  MAX_RECEIVE_COUNT: 'maxReceiveCount',
  ENABLE_WAF: 'enableWaf',
  WAF_RATE_LIMIT: 'wafRateLimit',
  QUEUE_SENDER_ARNS: 'queueSenderArns',
  QUEUE_READER_ARNS: 'queueReaderArns',
  API_GATEWAY_CLOUDWATCH_ROLE: 'apiGatewayCloudWatchRole',
  ACCOUNT: 'account',
  REGION: 'region',
  /** `verify-first` (default) or `queue-first`: see `FluentWebhookReceiverProps.ingress`. */
  INGRESS: 'ingress',
  /** `unordered` (default) or `per-entity`: see `FluentWebhookReceiverProps.ordering`. */
  ORDERING: 'ordering',
} as const;

const KNOWN_KEYS: ReadonlySet<string> = new Set([
  ...Object.keys(SETTING_ENV_NAMES),
  ...Object.values(DeployContextKey),
  ...Object.values(OperationsContextKey),
]);
/** Top-level context keys that are not settings but are this app's (or CDK's) and so never typos. */
const OTHER_APP_KEYS: ReadonlySet<string> = new Set([ENVIRONMENT_CONTEXT_KEY, ENVIRONMENTS_CONTEXT_KEY]);
const ENVIRONMENT_NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;
const RETENTION_DAYS: readonly number[] = Object.values(logs.RetentionDays).filter(
  (value): value is number => typeof value === 'number',
);

/** What the stack builds for one environment. */
export interface StackConfig {
  readonly environmentName: string;
  readonly account?: string;
  readonly region?: string;
  readonly receiverProps: FluentWebhookReceiverProps;
  /** The consumer's settings; its timeout is `receiverProps.consumerTimeout`. */
  readonly consumerOptions: FluentWebhookConsumerOptions;
  readonly monitoringOptions: FluentWebhookMonitoringOptions;
  /** Where each key that was set came from: `-c`, `cdk.json environments.<name>`, `cdk.json`, `WEBHOOK_PATH_SECRET`. */
  readonly sources: ReadonlyMap<string, string>;
}

/** The stack name for an environment; several environments live side by side in one account. */
export function stackNameFor(environmentName: string): string {
  return `FluentWebhooks-${environmentName}`;
}

/**
 * The environment to synthesize: `-c env=<name>`; without it, `default` when no `environments` block exists.
 * With an `environments` block, the name must be one of its entries.
 */
export function selectEnvironmentName(node: Node): string {
  const selected = node.tryGetContext(ENVIRONMENT_CONTEXT_KEY) as unknown;
  const environments = readEnvironments(node);
  const known = Object.keys(environments ?? {});
  if (selected === undefined || selected === '') {
    if (environments === undefined) return DEFAULT_ENVIRONMENT_NAME;
    throw new ConfigurationError(
      `Choose an environment with -c ${ENVIRONMENT_CONTEXT_KEY}=<name> (one of: ${known.join(', ')}).`,
    );
  }
  const name = String(selected);
  if (!ENVIRONMENT_NAME.test(name)) {
    throw new ConfigurationError(
      `Environment name "${name}" must start with a letter and hold only letters, digits and - (at most 64): it becomes part of the stack name.`,
    );
  }
  if (environments !== undefined && !known.includes(name)) {
    throw new ConfigurationError(
      `Environment "${name}" is not in the ${ENVIRONMENTS_CONTEXT_KEY} context (known: ${known.join(', ')}).`,
    );
  }
  return name;
}

/** How the stack names the props the construct checks name differently: the context key that sets each. */
const RECEIVER_PROP_CONTEXT_KEYS: Readonly<Record<string, string>> = {
  pathSecrets: DeployContextKey.PATH_SECRET,
  logRetention: DeployContextKey.LOG_RETENTION_DAYS,
  'receiverFunctionProps.reservedConcurrentExecutions': DeployContextKey.RECEIVER_RESERVED_CONCURRENCY,
  consumerTimeout: OperationsContextKey.CONSUMER_TIMEOUT_SECONDS,
  settings: 'publicKeys and accountIds',
};

/**
 * Reads one environment's configuration. A key's value comes from `-c key=value` on the command line (the keys in
 * `commandLineKeys`), else from `environments.<name>.<key>` in cdk.json, else from the top-level context key, and
 * for the path secret finally from WEBHOOK_PATH_SECRET (several secrets: comma-separated, or an array in cdk.json).
 * Every problem (types, receiver settings, props, keys that look like typos) is collected into one
 * {@link ConfigurationError} naming each context key and where its value came from.
 */
export function readStackConfig(
  node: Node,
  environmentName: string,
  processEnv: Readonly<Record<string, string | undefined>> = process.env,
  commandLineKeys: ReadonlySet<string> = new Set(),
): StackConfig {
  const problems: ConfigurationProblem[] = [];
  const block = readEnvironments(node)?.[environmentName] ?? {};
  if (typeof block !== 'object' || block === null || Array.isArray(block)) {
    throw new ConfigurationError(`${ENVIRONMENTS_CONTEXT_KEY}.${environmentName} must be an object of settings.`);
  }
  const sources = new Map<string, string>();
  for (const problem of unknownKeyProblems(node)) {
    problems.push(problem);
    sources.set(problem.setting, commandLineKeys.has(problem.setting) ? '-c' : 'cdk.json');
  }
  const lookup = (key: string): unknown => {
    const fromBlock = (block as Record<string, unknown>)[key];
    const [value, source] =
      commandLineKeys.has(key) && node.tryGetContext(key) !== undefined
        ? [node.tryGetContext(key) as unknown, '-c']
        : fromBlock !== undefined
          ? [fromBlock, `cdk.json ${ENVIRONMENTS_CONTEXT_KEY}.${environmentName}`]
          : [node.tryGetContext(key) as unknown, 'cdk.json'];
    if (value !== undefined) sources.set(key, source);
    return value;
  };
  const read = new ValueReader(lookup, problems);
  const operations = readOperationsConfig(read, problems);

  const rawSettings: RawReceiverSettings = {};
  for (const key of Object.keys(SETTING_ENV_NAMES) as SettingKey[]) {
    const value = lookup(key);
    if (value !== undefined) rawSettings[key] = value as RawSettingValue;
  }
  const { settings, problems: settingProblems } = readReceiverSettings(rawSettings);
  problems.push(...settingProblems);

  const retentionDays = read.integer(DeployContextKey.LOG_RETENTION_DAYS);
  if (retentionDays !== undefined && !RETENTION_DAYS.includes(retentionDays)) {
    problems.push({
      setting: DeployContextKey.LOG_RETENTION_DAYS,
      message: `is ${retentionDays}; CloudWatch Logs keeps logs for one of ${RETENTION_DAYS.join(', ')} days (9999: forever).`,
    });
  }
  const reserved = read.integer(DeployContextKey.RECEIVER_RESERVED_CONCURRENCY);
  let secrets = read.list(DeployContextKey.PATH_SECRET);
  if (secrets === undefined && processEnv[PATH_SECRET_ENV] !== undefined) {
    secrets = splitList(processEnv[PATH_SECRET_ENV] ?? '');
    sources.set(DeployContextKey.PATH_SECRET, PATH_SECRET_ENV);
  }
  const candidate = {
    // One secret stays `pathSecret`, so its messages name the setting people configure.
    ...(secrets !== undefined && secrets.length > 1 ? { pathSecrets: secrets } : { pathSecret: secrets?.[0] ?? '' }),
    environmentName,
    stageName: read.string(DeployContextKey.STAGE_NAME),
    throttlingRateLimit: read.number(DeployContextKey.THROTTLING_RATE_LIMIT),
    throttlingBurstLimit: read.integer(DeployContextKey.THROTTLING_BURST_LIMIT),
    logRetention: retentionDays as logs.RetentionDays | undefined,
    receiverFunctionProps: reserved === undefined ? undefined : { reservedConcurrentExecutions: reserved },
    maxReceiveCount: read.integer(DeployContextKey.MAX_RECEIVE_COUNT),
    enableWaf: read.boolean(DeployContextKey.ENABLE_WAF),
    wafRateLimit: read.integer(DeployContextKey.WAF_RATE_LIMIT),
    queueSenderArns: read.list(DeployContextKey.QUEUE_SENDER_ARNS),
    queueReaderArns: read.list(DeployContextKey.QUEUE_READER_ARNS),
    apiGatewayCloudWatchRole: read.boolean(DeployContextKey.API_GATEWAY_CLOUDWATCH_ROLE),
    consumerTimeout: operations.consumerTimeout,
    // Checked with the other props (findReceiverPropProblems), so a wrong value is one more listed problem.
    ingress: read.string(DeployContextKey.INGRESS) as IngressName | undefined,
    ordering: read.string(DeployContextKey.ORDERING) as OrderingName | undefined,
  };
  problems.push(
    ...findReceiverPropProblems({ ...candidate, settings }).map(({ setting, message }) => ({
      setting: RECEIVER_PROP_CONTEXT_KEYS[setting] ?? setting,
      message,
    })),
  );
  const account = read.string(DeployContextKey.ACCOUNT);
  const region = read.string(DeployContextKey.REGION);

  if (problems.length > 0 || settings === undefined) {
    throw configurationError(
      `Invalid configuration for environment "${environmentName}" (a key set in cdk.json goes under "context", or under "context" > "${ENVIRONMENTS_CONTEXT_KEY}" > "${environmentName}" for this environment only; -c key=value wins over both)`,
      problems,
      { noteOf: (setting) => whereSet(setting, sources) },
    );
  }
  return {
    environmentName,
    account,
    region,
    sources,
    receiverProps: withoutUndefined({ ...candidate, settings }),
    consumerOptions: operations.consumerOptions,
    monitoringOptions: operations.monitoringOptions,
  };
}

/** Where a key's value came from, or for a key that is not set, how to set it: the knobs `cdk synth` reads. */
function whereSet(key: string, sources: ReadonlyMap<string, string>): string | undefined {
  const source = sources.get(key);
  if (source !== undefined) return `from ${source}`;
  if (!KNOWN_KEYS.has(key)) return undefined;
  const fromEnv = key === DeployContextKey.PATH_SECRET ? `, or ${PATH_SECRET_ENV}` : '';
  return `set it with -c ${key}=… or the ${key} key in cdk.json${fromEnv}`;
}

/**
 * Keys in any environment's block that are not settings (every block is this app's, so each key in it must be one
 * of ours, whichever environment is being synthesized), and top-level context keys that are not ours but look like
 * one of ours mistyped (`enableWAF`, `emailAlarm`): either would be ignored silently otherwise. Other top-level keys
 * pass: cdk.json holds CDK's own flags there, and an app that builds this stack may keep its own keys there.
 */
function unknownKeyProblems(node: Node): ConfigurationProblem[] {
  const suggestion = (key: string): string => {
    const resembling = resemblingName(key, KNOWN_KEYS);
    return resembling === undefined ? '' : ` Did you mean ${resembling}?`;
  };
  const problems: ConfigurationProblem[] = [];
  for (const [environmentName, block] of Object.entries(readEnvironments(node) ?? {})) {
    if (typeof block !== 'object' || block === null || Array.isArray(block)) {
      problems.push({
        setting: `${ENVIRONMENTS_CONTEXT_KEY}.${environmentName}`,
        message: 'must be an object of settings.',
      });
      continue;
    }
    for (const key of Object.keys(block as Record<string, unknown>)) {
      if (KNOWN_KEYS.has(key)) continue;
      problems.push({
        setting: `${ENVIRONMENTS_CONTEXT_KEY}.${environmentName}.${key}`,
        message: `is not a setting.${suggestion(key)} Known settings: ${[...KNOWN_KEYS].join(', ')}.`,
      });
    }
  }
  for (const key of Object.keys(node.getAllContext() as Record<string, unknown>)) {
    // CDK's own keys are namespaced: `@aws-cdk/core:…`, `aws:cdk:…`, lookups like `availability-zones:…`.
    if (KNOWN_KEYS.has(key) || OTHER_APP_KEYS.has(key) || /[:/@]/.test(key)) continue;
    const resembling = resemblingName(key, KNOWN_KEYS);
    if (resembling !== undefined)
      problems.push({ setting: key, message: `is not a setting of this app. Did you mean ${resembling}?` });
  }
  return problems;
}

function readEnvironments(node: Node): Record<string, unknown> | undefined {
  const environments = node.tryGetContext(ENVIRONMENTS_CONTEXT_KEY) as unknown;
  if (environments === undefined) return undefined;
  if (typeof environments !== 'object' || environments === null || Array.isArray(environments)) {
    throw new ConfigurationError(
      `The ${ENVIRONMENTS_CONTEXT_KEY} context must be an object: { "sandbox": { ... }, "production": { ... } }.`,
    );
  }
  return environments as Record<string, unknown>;
}

/** Reads typed values from context, where `-c key=value` always gives strings and cdk.json gives JSON types. */
class ValueReader {
  public constructor(
    private readonly lookup: (key: string) => unknown,
    private readonly problems: ConfigurationProblem[],
  ) {}

  public raw(key: string): unknown {
    return this.lookup(key);
  }

  public string(key: string): string | undefined {
    const value = this.lookup(key);
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value.trim();
    this.problems.push({ setting: key, message: `must be a string, not ${JSON.stringify(value)}.` });
    return undefined;
  }

  /**
   * A comma-separated string, or (from cdk.json) an array of strings; blank entries dropped. A wrong value is
   * described by its type only, since this reads secrets.
   */
  public list(key: string): string[] | undefined {
    const value = this.lookup(key);
    if (value === undefined) return undefined;
    if (typeof value === 'string') return splitList(value);
    if (Array.isArray(value) && value.every((entry) => typeof entry === 'string')) return value.flatMap(splitList);
    const found = Array.isArray(value) ? 'an array with other entries' : `a ${value === null ? 'null' : typeof value}`;
    this.problems.push({
      setting: key,
      message: `must be a string (comma-separated for several) or an array of strings, not ${found}.`,
    });
    return undefined;
  }

  public number(key: string): number | undefined {
    const value = this.lookup(key);
    if (value === undefined) return undefined;
    const number =
      typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
    if (Number.isFinite(number)) return number;
    this.problems.push({ setting: key, message: `must be a number, not ${JSON.stringify(value)}.` });
    return undefined;
  }

  public integer(key: string): number | undefined {
    const number = this.number(key);
    if (number === undefined || Number.isInteger(number)) return number;
    this.problems.push({ setting: key, message: `must be a whole number, not ${number}.` });
    return undefined;
  }

  public boolean(key: string): boolean | undefined {
    const value = this.lookup(key);
    if (value === undefined || typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    this.problems.push({ setting: key, message: `must be true or false, not ${JSON.stringify(value)}.` });
    return undefined;
  }
}
