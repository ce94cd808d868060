import { bufferedIo } from '../../../tools/cli/cli-io';
import { ExitCode } from '../../../tools/cli/command';
import { runCli } from '../../../tools/cli/run-cli';
import { pathSecretFingerprint } from '../../../lambdas/core';
import { generatePathSecret } from '../../../tools/cli/generate-path-secret';

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

  it('never prints a secret that starts with -, which a later --fingerprint "$SECRET" would take for an option', async () => {
    // Act: one draw in 64 would start with - if nothing prevented it; 3,000 draws meet one 47 times on average.
    const secrets: string[] = [];
    for (let draw = 0; draw < 3000; draw += 1) {
      const io = bufferedIo();
      await runCli(['secret'], io);
      secrets.push(io.stdout().trim());
    }

    // Assess
    expect(secrets.filter((secret) => secret.startsWith('-'))).toEqual([]);
    expect(secrets.every((secret) => /^[A-Za-z0-9_-]{43}$/.test(secret))).toBe(true);
    expect(new Set(secrets.map((secret) => secret[0])).size).toBe(63);
  });

  it('draws again when the bytes would make a leading -, and keeps the next draw as it came', () => {
    // Prepare: 0xF8 is 111110 in its first six bits, base64url's 62nd character: -.
    const draws = [Buffer.alloc(32, 0xf8), Buffer.alloc(32, 0xfb), Buffer.alloc(32, 0x41)];
    const random = (size: number) => {
      const next = draws.shift() as Buffer;
      expect(next.length).toBe(size);
      return next;
    };

    // Act
    const secret = generatePathSecret(random);

    // Assess
    expect(secret).toBe(Buffer.alloc(32, 0x41).toString('base64url'));
    expect(draws).toEqual([]);
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
