import { createHash } from 'node:crypto';

/** Hex digits kept of the SHA-256: 32 bits tell a handful of live secrets apart and reveal nothing usable. */
export const PATH_SECRET_FINGERPRINT_LENGTH = 8;

/**
 * A short label for a path secret that logs, stack outputs and construct ids may carry: the first 8 hex digits
 * of its SHA-256. For a random secret of 32+ URL-safe characters (192+ bits) it cannot be turned back into the
 * secret. The construct, the verifying Lambda and `fluent-webhook secret --fingerprint` all use this one function,
 * so an operator can match the fingerprint in a log line to the secret in their configuration.
 */
export function pathSecretFingerprint(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, PATH_SECRET_FINGERPRINT_LENGTH);
}
