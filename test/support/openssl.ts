import { execFileSync } from 'node:child_process';

/**
 * Runs the `openssl` command line: an RSA implementation we did not write, to cross-check ours.
 * Returns stdout; throws (with openssl's stderr) on a non-zero exit.
 */
export function openssl(...args: string[]): Buffer {
  return execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Whether `openssl dgst -verify` accepts a signature; exit status 1 means "Verification failure". */
export function opensslVerifies(
  algorithm: 'sha512' | 'md5',
  publicKeyPemPath: string,
  signaturePath: string,
  bodyPath: string,
): boolean {
  try {
    return openssl('dgst', `-${algorithm}`, '-verify', publicKeyPemPath, '-signature', signaturePath, bodyPath)
      .toString()
      .includes('Verified OK');
  } catch (error) {
    const failure = error as { status?: number; stdout?: Buffer };
    if (failure.status === 1 && String(failure.stdout).includes('Verification failure')) return false;
    throw error;
  }
}
