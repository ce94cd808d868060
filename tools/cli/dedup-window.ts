import { DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS, SETTING_ENV_NAMES } from '../../lambdas/core/settings';
import { UsageError } from './command';

/**
 * The consumer's de-duplication window in seconds: the flag's value, else IDEMPOTENCY_EXPIRY_SECONDS (the consumer's
 * own setting), else its default.
 */
export function readDedupWindow(value: string | undefined, env: Readonly<Record<string, string | undefined>>): number {
  if (value !== undefined) {
    const flag = Number(value);
    if (!Number.isInteger(flag) || flag < 1) {
      throw new UsageError(`--dedup-window-seconds ${value}: use a whole number of at least 1.`);
    }
    return flag;
  }
  const fromEnv = Number(env[SETTING_ENV_NAMES.idempotencyExpirySeconds]);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS;
}
