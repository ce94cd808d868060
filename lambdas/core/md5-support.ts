import { createHash } from 'node:crypto';

let cached: boolean | undefined;

/** Whether this runtime can compute MD5 (it cannot where OpenSSL runs in FIPS mode). Probed once. */
export function md5SignaturesSupported(): boolean {
  if (cached === undefined) {
    try {
      createHash('md5').update('probe').digest();
      cached = true;
    } catch {
      cached = false;
    }
  }
  return cached;
}
