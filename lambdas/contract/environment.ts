/**
 * Environment variables the stack sets on the Lambdas (besides the receiver settings in
 * `SETTING_ENV_NAMES`). One place, so the construct and the handlers cannot drift apart.
 */
export const RuntimeEnv = {
  QUEUE_URL: 'QUEUE_URL',
  IDEMPOTENCY_TABLE_NAME: 'IDEMPOTENCY_TABLE_NAME',
  /** The environment's name (`sandbox`, `production`): a metric dimension, so environments sharing an account stay apart. */
  ENVIRONMENT_NAME: 'ENVIRONMENT_NAME',
} as const;

/** Reads a required variable or throws an error that says which one and who sets it. */
export function requireEnv(env: Readonly<Record<string, string | undefined>>, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(`Environment variable ${name} is not set. The CDK stack sets it; locally, npm start sets it.`);
  }
  return value;
}
