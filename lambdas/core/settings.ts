import { DEFAULT_SIGNATURE_POLICY, SignaturePolicy, SignaturePolicyName } from './constants';
import { ConfigurationError, type ConfigurationProblem } from './errors';
import { throwIfProblems } from './configuration-problems';
import type { AllowList } from './allow-list';
import { resolveKeySources, splitList } from './key-sources';
import { FluentPublicKey, parseFluentPublicKeys } from './public-keys';

/** What to do with a verified event that no handler claims. */
export const UnhandledEventPolicy = {
  /** Log it and drop it (the default). */
  IGNORE: 'ignore',
  /** Fail it: retried, then dead-lettered. */
  FAIL: 'fail',
} as const;
/** One of the {@link UnhandledEventPolicy} names. */
export type UnhandledEventPolicyName = (typeof UnhandledEventPolicy)[keyof typeof UnhandledEventPolicy];

/** SQS's longest retention, the stack's for the queue and the dead-letter queue: 14 days. */
export const MAX_SQS_RETENTION_SECONDS = 14 * 24 * 3600;
/** Kept past the longest a message can exist, so a redrive in its last hour still finds the record: one day. */
export const DEDUPLICATION_MARGIN_SECONDS = 24 * 3600;
/**
 * 15 days: the dead-letter queue's 14-day retention plus a day. SQS counts a dead-lettered message's age from its
 * first enqueue, so no copy of a message outlives the record of its event, and a redrive on day 13 is still a
 * duplicate of the first delivery. (It was 7 days: a redrive after day 7 ran the handlers a second time.)
 */
export const DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS = MAX_SQS_RETENTION_SECONDS + DEDUPLICATION_MARGIN_SECONDS;
/** Fluent retries for up to a day, so a shorter window would let a retry through twice. */
export const MIN_IDEMPOTENCY_EXPIRY_SECONDS = 48 * 3600;

/**
 * The settings that decide what the receiver accepts, shared by the CDK stack (context), the Lambdas
 * (environment set by the stack) and the local runner (environment). One name, one meaning everywhere.
 */
export interface ReceiverSettings {
  /** Parsed once here; never per request. */
  readonly publicKeys: readonly FluentPublicKey[];
  /** @default 'prefer-sha512' */
  readonly signaturePolicy: SignaturePolicyName;
  /** The accounts (and retailers) whose events are accepted. */
  readonly allowList: AllowList;
  /** @default 'ignore' */
  readonly unhandledEvents: UnhandledEventPolicyName;
  /** @default 1296000 (15 days: the dead-letter queue's retention plus a day) */
  readonly idempotencyExpirySeconds: number;
}

/** Raw setting values as they come from context (strings, arrays, numbers) or the environment (strings). */
export type RawSettingValue = string | number | boolean | readonly string[] | undefined;

/** A receiver setting, by its context key (camelCase): `publicKeys`, `accountIds`, ... */
export type SettingKey =
  'publicKeys' | 'signaturePolicy' | 'accountIds' | 'retailerIds' | 'unhandledEvents' | 'idempotencyExpirySeconds';

/** Each setting's context key (camelCase) and environment variable name, in one place. */
export const SETTING_ENV_NAMES = {
  publicKeys: 'FLUENT_PUBLIC_KEYS',
  signaturePolicy: 'SIGNATURE_POLICY',
  accountIds: 'FLUENT_ACCOUNT_IDS',
  retailerIds: 'FLUENT_RETAILER_IDS',
  unhandledEvents: 'UNHANDLED_EVENTS',
  idempotencyExpirySeconds: 'IDEMPOTENCY_EXPIRY_SECONDS',
} as const satisfies Record<SettingKey, string>;
/** The settings as given, before `parseReceiverSettings` checks them: context values or environment strings. */
export type RawReceiverSettings = Partial<Record<SettingKey, RawSettingValue>>;

/** Reads the raw settings from environment variables (see {@link SETTING_ENV_NAMES}). */
export function rawSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): RawReceiverSettings {
  const raw: RawReceiverSettings = {};
  for (const [key, envName] of Object.entries(SETTING_ENV_NAMES) as Array<[SettingKey, string]>) {
    const value = env[envName];
    if (value !== undefined && value.trim() !== '') raw[key] = value;
  }
  return raw;
}

/** Renders settings as the environment variables the Lambdas read, keys in Fluent's compact base64 format. */
export function settingsToEnv(settings: ReceiverSettings): Record<string, string> {
  const { accountIds, retailerIds } = settings.allowList;
  const env: Record<string, string> = {
    [SETTING_ENV_NAMES.publicKeys]: settings.publicKeys.map((key) => key.spkiBase64).join(','),
    [SETTING_ENV_NAMES.signaturePolicy]: settings.signaturePolicy,
    [SETTING_ENV_NAMES.accountIds]: accountIds === '*' ? '*' : accountIds.join(','),
    [SETTING_ENV_NAMES.unhandledEvents]: settings.unhandledEvents,
    [SETTING_ENV_NAMES.idempotencyExpirySeconds]: String(settings.idempotencyExpirySeconds),
  };
  if (retailerIds !== undefined) env[SETTING_ENV_NAMES.retailerIds] = retailerIds.join(',');
  return env;
}

/** Parsed settings, or the problems that kept them from parsing. */
export type ReceiverSettingsResult =
  | { readonly settings: ReceiverSettings; readonly problems: readonly [] }
  | { readonly settings: undefined; readonly problems: readonly ConfigurationProblem[] };

/**
 * Validates raw settings into {@link ReceiverSettings}, collecting every problem (each `setting` a {@link SettingKey})
 * instead of throwing, so that the stack and the local runner can name each setting as their users write it.
 */
export function readReceiverSettings(raw: RawReceiverSettings): ReceiverSettingsResult {
  const problems: ConfigurationProblem[] = [];
  const note = <T>(setting: SettingKey, read: () => T, fallback: T): T => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      problems.push({ setting, message: error.message });
      return fallback;
    }
  };

  const publicKeys = note('publicKeys', () => readPublicKeys(raw.publicKeys), []);
  const signaturePolicy = note(
    'signaturePolicy',
    () => oneOf(raw.signaturePolicy, Object.values(SignaturePolicy), DEFAULT_SIGNATURE_POLICY),
    DEFAULT_SIGNATURE_POLICY,
  );
  const accountIds = note('accountIds', () => readAccountIds(raw.accountIds), []);
  const retailerIds = note(
    'retailerIds',
    () => (raw.retailerIds === undefined ? undefined : nonEmptyList(raw.retailerIds)),
    undefined,
  );
  const unhandledEvents = note(
    'unhandledEvents',
    () => oneOf(raw.unhandledEvents, Object.values(UnhandledEventPolicy), UnhandledEventPolicy.IGNORE),
    UnhandledEventPolicy.IGNORE,
  );
  const idempotencyExpirySeconds = note(
    'idempotencyExpirySeconds',
    () => readExpiry(raw.idempotencyExpirySeconds),
    DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS,
  );

  if (problems.length > 0) return { settings: undefined, problems };
  return {
    settings: {
      publicKeys,
      signaturePolicy,
      allowList: retailerIds === undefined ? { accountIds } : { accountIds, retailerIds },
      unhandledEvents,
      idempotencyExpirySeconds,
    },
    problems: [],
  };
}

/** A setting's name for readers of both its forms: `publicKeys (FLUENT_PUBLIC_KEYS)`. */
export function describeSetting(setting: string): string {
  const envName = settingEnvName(setting);
  return envName === setting ? setting : `${setting} (${envName})`;
}

/** A receiver setting's environment variable (the Lambdas' and the local runner's name for it). */
export function settingEnvName(setting: string): string {
  return (SETTING_ENV_NAMES as Record<string, string | undefined>)[setting] ?? setting;
}

/**
 * Validates raw settings into {@link ReceiverSettings}. Collects every problem and throws one
 * {@link ConfigurationError} that lists them all, each naming the setting and how to fix it.
 */
export function parseReceiverSettings(raw: RawReceiverSettings): ReceiverSettings {
  const result = readReceiverSettings(raw);
  throwIfProblems('Invalid receiver configuration', result.problems, { nameOf: describeSetting });
  return result.settings as ReceiverSettings;
}

// The readers below throw a ConfigurationError whose message continues the setting's name; `note` records it.

function readPublicKeys(value: RawSettingValue): FluentPublicKey[] {
  const entries = listOf(value);
  if (entries.length === 0) {
    throw new ConfigurationError(
      'is missing: give the base64 public key Fluent gave you for your region and environment (or the path of a file holding it).',
    );
  }
  try {
    return parseFluentPublicKeys(resolveKeySources(entries));
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    throw new ConfigurationError(`holds a key that cannot be used: ${error.message}`, { cause: error });
  }
}

function listOf(value: RawSettingValue): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return splitList(value);
  if (Array.isArray(value))
    return value.flatMap((item: unknown) => (typeof item === 'string' ? splitList(item) : [String(item)]));
  throw new ConfigurationError('must be a comma-separated string or a list of strings.');
}

function nonEmptyList(value: RawSettingValue): string[] {
  const list = listOf(value);
  if (list.length === 0) throw new ConfigurationError('is set but empty; list at least one id or leave it unset.');
  return list;
}

function readAccountIds(value: RawSettingValue): readonly string[] | '*' {
  const list = listOf(value);
  if (list.length === 0) {
    throw new ConfigurationError(
      `is required: list the Fluent account ids this receiver serves (for example ACME). Fluent signs all its customers in a region with one key, so the signature alone does not show the event is yours. Use * only for trying things out.`,
    );
  }
  if (list.includes('*')) {
    if (list.length > 1) throw new ConfigurationError('mixes * with account ids; use one or the other.');
    return '*';
  }
  return list;
}

function oneOf<T extends string>(value: RawSettingValue, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  const text = String(value).trim();
  if ((allowed as readonly string[]).includes(text)) return text as T;
  throw new ConfigurationError(`is "${text}"; use one of ${allowed.join(', ')}.`);
}

function readExpiry(value: RawSettingValue): number {
  if (value === undefined) return DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < MIN_IDEMPOTENCY_EXPIRY_SECONDS) {
    throw new ConfigurationError(
      `is "${String(value)}"; use a whole number of seconds of at least ${MIN_IDEMPOTENCY_EXPIRY_SECONDS} (48 hours), since Fluent retries for up to a day.`,
    );
  }
  return seconds;
}

/**
 * Whether the de-duplication window outlives every copy of a message: `longestMessageLifetimeSeconds` is the
 * dead-letter queue's retention (or the queue's, without one), counted from the first enqueue. Returns the problem
 * as a sentence naming the setting, or undefined when the window covers it with {@link DEDUPLICATION_MARGIN_SECONDS}.
 */
export function deduplicationWindowProblem(
  expirySeconds: number,
  longestMessageLifetimeSeconds: number,
): ConfigurationProblem | undefined {
  const needed = longestMessageLifetimeSeconds + DEDUPLICATION_MARGIN_SECONDS;
  if (expirySeconds >= needed) return undefined;
  return {
    setting: 'idempotencyExpirySeconds',
    message: `is ${expirySeconds} s, but a message can exist for ${longestMessageLifetimeSeconds} s (the dead-letter queue's retention, counted from its first enqueue): a redrive after the record expires would run the handlers a second time. Use at least ${needed} s (the retention plus a day), or shorten the retention.`,
  };
}
