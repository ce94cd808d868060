import { bufferedIo } from '../../../tools/cli/cli-io';
import { ExitCode } from '../../../tools/cli/command';
import { runCli } from '../../../tools/cli/run-cli';
import { pathSecretFingerprint } from '../../../lambdas/core';

const FIRST = 'rotationSecret-one_0123456789abcdefghijk';
const SECOND = 'rotationSecret-two_0123456789abcdefghijk';

describe('Command: secret', () => {
  it('prints a fresh 43-character URL-safe secret each time, and its fingerprint on standard error', async () => {
    // Prepare
    const first = bufferedIo();
    const second = bufferedIo();

    // Act
    const codes = [await runCli(['secret'], first), await runCli(['secret'], second)];

    // Assess
    expect(codes).toEqual([ExitCode.OK, ExitCode.OK]);
    expect(first.stdout()).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    expect(second.stdout()).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    expect(first.stdout()).not.toBe(second.stdout());
    expect(first.stderr()).toBe(
      `fingerprint ${pathSecretFingerprint(first.stdout().trim())} (how logs and the PathSecretFingerprints output name this secret)\n`,
    );
  });

  it.each([
    ['one secret', FIRST, [FIRST]],
    ['a comma-separated list, as in WEBHOOK_PATH_SECRET', ` ${FIRST}, ${SECOND} `, [FIRST, SECOND]],
  ])('prints the fingerprint of %s, one line each, and no secret', async (_case, value, secrets) => {
    // Prepare
    const io = bufferedIo();

    // Act
    const code = await runCli(['secret', '--fingerprint', value], io);

    // Assess
    expect(code).toBe(ExitCode.OK);
    expect(io.stdout()).toBe(secrets.map((secret) => `${pathSecretFingerprint(secret)}\n`).join(''));
    expect(io.stdout() + io.stderr()).not.toContain('rotationSecret');
  });

  it.each([
    ['an unknown flag', ['--length', '8']],
    ['a positional argument', ['extra']],
    ['--fingerprint without a secret', ['--fingerprint', ' , ']],
  ])('exits 2 for %s', async (_case, argv) => {
    // Prepare
    const io = bufferedIo();

    // Act
    const code = await runCli(['secret', ...argv], io);

    // Assess
    expect(code).toBe(ExitCode.USAGE);
    expect(io.stdout()).toBe('');
  });
});
