import { randomBytes } from 'node:crypto';

/** 32 random bytes: 256 bits, 43 URL-safe characters. */
export const PATH_SECRET_BYTES = 32;

/**
 * A fresh path secret: {@link PATH_SECRET_BYTES} random bytes as base64url, drawn again while it starts with `-`,
 * which a shell command would take for an option (`secret --fingerprint -abc…`). One draw in 64 starts with `-`;
 * the secrets left are uniform over the others and lose 0.02 of a bit.
 * @param random where the bytes come from (tests inject a deterministic source)
 */
export function generatePathSecret(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const secret = random(PATH_SECRET_BYTES).toString('base64url');
    if (!secret.startsWith('-')) return secret;
  }
}
