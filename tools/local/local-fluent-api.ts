import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigurationProblem } from '../../lambdas/core/errors';
import type { Logger } from '@aws-lambda-powertools/logger';
import { FluentApiEnv } from '../../lambdas/contract/environment';
import { Component } from '../../lambdas/contract/observability';
import { createLogger } from '../../lambdas/shared/observability';
import {
  credentialsFromEnv,
  FluentApiClient,
  FluentCredentials,
  FluentNotConfiguredError,
  staticCredentials,
} from '../../lambdas/fluent-api';
import { CONTROL_PATH, DEFAULT_STAND_IN_TOKEN_SECONDS, startFluentStandIn } from './fluent-stand-in/fluent-stand-in';
import { Fault, parseFaultList } from './fluent-stand-in/stand-in-faults';
import { LOCAL_FLUENT_CLIENT } from './local-fluent-client';
import { parseStandInData, StandInData } from './fluent-stand-in/stand-in-data';

/** Environment variables of the local Fluent stand-in (used only when FLUENT_API_URL is not set). */
export const FLUENT_STAND_IN_ENV_NAMES = {
  /** Faults from the start: `kind[:times[:retryAfterSeconds]]`, comma-separated, e.g. `unavailable:2,rate-limited:1:5`. */
  faults: 'FLUENT_STAND_IN_FAULTS',
  /** Token lifetime in seconds (default 300). */
  tokenSeconds: 'FLUENT_STAND_IN_TOKEN_SECONDS',
  /** Its port (default: a free one, printed at start). */
  port: 'FLUENT_STAND_IN_PORT',
  /** A JSON file of entities its GraphQL answers from (the form of DEFAULT_STAND_IN_DATA), on top of the samples'. */
  data: 'FLUENT_STAND_IN_DATA',
} as const;

export type LocalFluentApiConfig =
  | {
      readonly kind: 'stand-in';
      readonly account: string;
      readonly client: FluentCredentials;
      readonly faults: readonly Fault[];
      readonly tokenLifetimeSeconds: number;
      readonly port: number;
      readonly data?: StandInData;
    }
  /** FLUENT_API_URL is set: the handlers call it (a Fluent sandbox, or a test server) with the FLUENT_* credentials. */
  | { readonly kind: 'remote'; readonly env: Readonly<Record<string, string | undefined>> };

type Env = Readonly<Record<string, string | undefined>>;

/** Loaded only with FLUENT_API_URL: it brings the Secrets Manager client, which the stand-in does without. */
const loadFromEnv = () => import('../../lambdas/fluent-api/fluent-api-from-env');

/** Reads the local Fluent API configuration, appending problems to `problems`. */
export async function readLocalFluentApi(
  env: Env,
  defaultAccount: string,
  problems: ConfigurationProblem[],
): Promise<LocalFluentApiConfig> {
  /** Runs a reader that throws a whole sentence, recorded against the variable it is about. */
  const guard = <T>(setting: string, read: () => T, fallback: T): T => {
    try {
      return read();
    } catch (error) {
      problems.push({ setting, message: `cannot be used: ${(error as Error).message}` });
      return fallback;
    }
  };
  if (env[FluentApiEnv.API_URL]?.trim()) {
    // Checked now, so a half-done configuration stops the start instead of failing every handler later.
    const { fluentApiClientFromEnv } = await loadFromEnv();
    guard(FluentApiEnv.API_URL, () => fluentApiClientFromEnv(env), undefined);
    return { kind: 'remote', env };
  }
  const whole = (name: string, fallback: number, min: number, max: number): number => {
    const text = env[name]?.trim();
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (Number.isInteger(value) && value >= min && value <= max) return value;
    problems.push({ setting: name, message: `is "${text}"; use a whole number from ${min} to ${max}.` });
    return fallback;
  };
  return {
    kind: 'stand-in',
    account: env[FluentApiEnv.ACCOUNT]?.trim() || defaultAccount,
    client: env[FluentApiEnv.CLIENT_ID]?.trim()
      ? guard(FluentApiEnv.CLIENT_ID, () => credentialsFromEnv(env), LOCAL_FLUENT_CLIENT)
      : LOCAL_FLUENT_CLIENT,
    faults: guard(
      FLUENT_STAND_IN_ENV_NAMES.faults,
      () => parseFaultList(env[FLUENT_STAND_IN_ENV_NAMES.faults] ?? ''),
      [],
    ),
    tokenLifetimeSeconds: whole(FLUENT_STAND_IN_ENV_NAMES.tokenSeconds, DEFAULT_STAND_IN_TOKEN_SECONDS, 1, 86_400),
    port: whole(FLUENT_STAND_IN_ENV_NAMES.port, 0, 0, 65_535),
    data: guard(
      FLUENT_STAND_IN_ENV_NAMES.data,
      () => readStandInDataFile(env[FLUENT_STAND_IN_ENV_NAMES.data]),
      undefined,
    ),
  };
}

export interface LocalFluentApi {
  readonly client: FluentApiClient;
  /** The URL the handlers call. */
  readonly apiUrl: string;
  /** The stand-in's control endpoint, when the stand-in runs. */
  readonly controlUrl?: string;
  stop(): Promise<void>;
}

/** Starts the stand-in (or, with FLUENT_API_URL, uses that URL) and the client the handlers' `context.fluent` uses. */
export async function startLocalFluentApi(config: LocalFluentApiConfig, host: string): Promise<LocalFluentApi> {
  if (config.kind === 'remote') {
    const { fluentApiClientFromEnv } = await loadFromEnv();
    const client = fluentApiClientFromEnv(config.env);
    if (client === undefined) throw new FluentNotConfiguredError(`${FluentApiEnv.API_URL} is not set.`);
    return { client, apiUrl: String(config.env[FluentApiEnv.API_URL]), stop: async () => undefined };
  }
  const logger: Logger = createLogger(Component.FLUENT_STAND_IN);
  const standIn = await startFluentStandIn({
    host,
    port: config.port,
    account: config.account,
    client: config.client,
    tokenLifetimeSeconds: config.tokenLifetimeSeconds,
    faults: config.faults,
    data: config.data,
    logger,
  });
  const client = new FluentApiClient({
    settings: { apiUrl: standIn.url, account: config.account },
    credentials: staticCredentials(config.client),
  });
  return { client, apiUrl: standIn.url, controlUrl: `${standIn.url}${CONTROL_PATH}`, stop: () => standIn.stop() };
}

/** The seed file FLUENT_STAND_IN_DATA names, checked; undefined when the variable is not set. */
function readStandInDataFile(path: string | undefined): StandInData | undefined {
  if (path === undefined || path.trim() === '') return undefined;
  let text: string;
  try {
    text = readFileSync(resolve(path.trim()), 'utf8');
  } catch (error) {
    throw new Error(`${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not JSON: ${(error as Error).message}`);
  }
  try {
    return parseStandInData(json);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}
