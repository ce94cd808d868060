/**
 * Environment variables the stack sets on the Lambdas (besides the receiver settings in
 * `SETTING_ENV_NAMES`). One place, so the construct and the handlers cannot drift apart.
 */
export const RuntimeEnv = {
  QUEUE_URL: 'QUEUE_URL',
  IDEMPOTENCY_TABLE_NAME: 'IDEMPOTENCY_TABLE_NAME',
  /** The environment's name (`sandbox`, `production`): a metric dimension, so environments sharing an account stay apart. */
  ENVIRONMENT_NAME: 'ENVIRONMENT_NAME',
  /** `verify-first` or `queue-first` (see `ingress.ts`): whether the consumer is the only judge of a message. */
  INGRESS: 'INGRESS',
  /** `unordered` or `per-entity` (see `ordering.ts`): whether the receiver sends to a FIFO queue, with group ids. */
  ORDERING: 'ORDERING',
  /** The stale-status guard's status order per entity type, as JSON (see `stale-status-guard.ts`); unset: off. */
  STALE_STATUS_GUARD: 'STALE_STATUS_GUARD',
  /** The history table (archive and outcomes); without it the consumer archives nothing. */
  HISTORY_TABLE_NAME: 'HISTORY_TABLE_NAME',
  /** The bucket of bodies too large for their history item; without it they are recorded without their copy. */
  HISTORY_BUCKET_NAME: 'HISTORY_BUCKET_NAME',
  /** Days a history record is kept (the table's TTL); also the local runner's setting. */
  HISTORY_RETENTION_DAYS: 'HISTORY_RETENTION_DAYS',
  /** The reconciliation queue's ARN: the one source the consumer takes unsigned `reconciliation` events from. */
  RECONCILIATION_QUEUE_ARN: 'RECONCILIATION_QUEUE_ARN',
  /** The sweep Lambda's settings (JSON, `ReconciliationSweepSettings`); locally it turns the interval sweep on. */
  RECONCILIATION_SWEEP: 'RECONCILIATION_SWEEP',
  /** Where the sweep Lambda backfills: the reconciliation queue's URL. */
  RECONCILIATION_QUEUE_URL: 'RECONCILIATION_QUEUE_URL',
  /** The sweep checkpoints' table. */
  RECONCILIATION_CHECKPOINT_TABLE: 'RECONCILIATION_CHECKPOINT_TABLE',
  /** The REST API's name and stage whose 5xx and 4xx the sweep compares first; unset: no door check. */
  RECONCILIATION_DOOR_API_NAME: 'RECONCILIATION_DOOR_API_NAME',
  RECONCILIATION_DOOR_STAGE: 'RECONCILIATION_DOOR_STAGE',
} as const;

/**
 * Environment variable the path secret may come from (for `cdk synth` and `npm start`), so it stays out of files and
 * shell history. Like the `pathSecret` setting, it may list several secrets, comma-separated, the current one first
 * (during a rotation).
 */
export const PATH_SECRET_ENV = 'WEBHOOK_PATH_SECRET';

/** Reads a required variable or throws an error that says which one and who sets it. */
export function requireEnv(env: Readonly<Record<string, string | undefined>>, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(`Environment variable ${name} is not set. The CDK stack sets it; locally, npm start sets it.`);
  }
  return value;
}

/**
 * Environment variables of the outbound Fluent API client (`context.fluent`). The URL and account are settings;
 * in AWS the credentials come from the Secrets Manager secret named by FLUENT_API_SECRET_ID, locally and in the
 * CLI from the FLUENT_CLIENT_* and FLUENT_USERNAME/FLUENT_PASSWORD variables.
 */
export const FluentApiEnv = {
  /** The account's API base URL, for example `https://acme.sandbox.api.fluentretail.com`. */
  API_URL: 'FLUENT_API_URL',
  /** The Fluent account id, sent as the `fluent.account` header of the token request. */
  ACCOUNT: 'FLUENT_API_ACCOUNT',
  /** The Secrets Manager secret (ARN or name) holding the credentials as JSON; the stack sets it. */
  SECRET_ID: 'FLUENT_API_SECRET_ID',
  CLIENT_ID: 'FLUENT_CLIENT_ID',
  CLIENT_SECRET: 'FLUENT_CLIENT_SECRET',
  /** With a username, the password grant is used; without, client_credentials. */
  USERNAME: 'FLUENT_USERNAME',
  PASSWORD: 'FLUENT_PASSWORD',
} as const;
