import { writeFileSync } from 'node:fs';
import { bufferedIo } from '../../../tools/cli/cli-io';
import { ExitCode } from '../../../tools/cli/command';
import { runCli } from '../../../tools/cli/run-cli';
import { signFluentPayload } from '../../../lambdas/core';
import { fluentEventBody } from '../../support/factories';
import { useTempDir } from '../../support/temp-dir';
import { testKeyPair } from '../../support/test-keys';

describe('Command: verify', () => {
  const temp = useTempDir();
  const fluent = testKeyPair(1024, 'cli-verify');
  const other = testKeyPair(2048, 'cli-verify-other');
  const body = fluentEventBody();
  const good = signFluentPayload(body, fluent.privateKey);
  const forged = signFluentPayload(body, other.privateKey);
  const paths = { body: '', bodyWithNewline: '', pem: '', b64: '' };

  beforeAll(() => {
    paths.body = temp.path('body.json');
    paths.bodyWithNewline = temp.path('body-newline.json');
    paths.pem = temp.path('public-key.pem');
    paths.b64 = temp.path('public-key.b64');
    writeFileSync(paths.body, body);
    writeFileSync(paths.bodyWithNewline, Buffer.concat([body, Buffer.from('\n')]));
    writeFileSync(paths.pem, fluent.publicKeyPem);
    writeFileSync(paths.b64, `${fluent.publicKeyBase64}\n`);
  });

  async function verify(...argv: string[]) {
    const io = bufferedIo();
    const code = await runCli(['verify', ...argv], io);
    return { code, stdout: io.stdout(), stderr: io.stderr() };
  }

  it.each([
    ['an inline base64 key', () => fluent.publicKeyBase64, 'entry 1'],
    ['a PEM key file', () => paths.pem, ''],
    ['a base64 key file', () => paths.b64, ''],
  ])(
    'exits 0 and names the signature and the key when fluent-signature is valid under %s',
    async (_case, key, label) => {
      // Act
      const result = await verify(
        '--public-key',
        key(),
        '--body-file',
        paths.body,
        '--fluent-signature',
        good['fluent-signature'],
      );

      // Assess
      expect(result.code).toBe(ExitCode.OK);
      expect(result.stdout).toBe(
        `Valid: fluent-signature (SHA512withRSA) matches key ${fluent.parsed.fingerprint} (${label || key()}).\n`,
      );
    },
  );

  it.each([
    ['repeated --public-key flags', (keys: string[]) => keys.flatMap((key) => ['--public-key', key])],
    ['one comma-separated --public-key', (keys: string[]) => ['--public-key', keys.join(',')]],
  ])('tries every key given as %s', async (_case, flags) => {
    // Act
    const result = await verify(
      ...flags([other.publicKeyBase64, paths.pem]),
      '--body-file',
      paths.body,
      '--fluent-signature',
      good['fluent-signature'],
    );

    // Assess
    expect(result.code).toBe(ExitCode.OK);
    expect(result.stdout).toContain(`matches key ${fluent.parsed.fingerprint} (${paths.pem})`);
  });

  it('exits 0 on flex.signature alone under the default policy', async () => {
    // Act
    const result = await verify(
      '--public-key',
      paths.pem,
      '--body-file',
      paths.body,
      '--flex-signature',
      good['flex.signature'],
    );

    // Assess
    expect(result.code).toBe(ExitCode.OK);
    expect(result.stdout).toContain('Valid: flex.signature (MD5withRSA)');
  });

  it('exits 1 on flex.signature alone under require-sha512', async () => {
    // Act
    const result = await verify(
      '--public-key',
      paths.pem,
      '--body-file',
      paths.body,
      '--flex-signature',
      good['flex.signature'],
      '--policy',
      'require-sha512',
    );

    // Assess
    expect(result.code).toBe(ExitCode.FAILED);
    expect(result.stderr).toContain('Invalid (md5-refused-by-policy)');
  });

  it.each([
    [
      'the signature was made by another key',
      () => [
        '--public-key',
        other.publicKeyBase64,
        '--body-file',
        paths.body,
        '--fluent-signature',
        good['fluent-signature'],
      ],
      'signature-length-mismatch',
      'Hint: The configured keys are 2048-bit (256-byte signatures).',
    ],
    [
      'an editor added a trailing newline to the body',
      () => [
        '--public-key',
        paths.pem,
        '--body-file',
        paths.bodyWithNewline,
        '--fluent-signature',
        good['fluent-signature'],
      ],
      'no-matching-key',
      'WITHOUT its final newline',
    ],
    [
      'fluent-signature fails but flex.signature would pass (no downgrade)',
      () => [
        '--public-key',
        paths.pem,
        '--body-file',
        paths.body,
        '--fluent-signature',
        signFluentPayload(Buffer.from('another body'), fluent.privateKey)['fluent-signature'],
        '--flex-signature',
        good['flex.signature'],
      ],
      'no-matching-key',
      'flex.signature alone would verify',
    ],
  ])('exits 1 with the reason and a hint when %s', async (_case, argv, reason, hint) => {
    // Act
    const result = await verify(...argv());

    // Assess
    expect(result.code).toBe(ExitCode.FAILED);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`Invalid (${reason})`);
    expect(result.stderr).toContain(hint);
  });

  it.each([
    ['malformed-signature', 'not base64!'],
    ['no-matching-key', () => forged['fluent-signature'].replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))],
  ])('exits 1 with reason %s', async (reason, signature) => {
    // Prepare
    const flags = ['--public-key', other.publicKeyBase64, '--body-file', paths.body];

    // Act
    const result = await verify(
      ...flags,
      '--fluent-signature',
      typeof signature === 'string' ? signature : signature(),
    );

    // Assess
    expect(result.code).toBe(ExitCode.FAILED);
    expect(result.stderr).toContain(`Invalid (${reason})`);
  });

  it.each([
    ['no --public-key', () => ['--body-file', paths.body, '--fluent-signature', 'AAAA'], '--public-key is required.'],
    ['no --body-file', () => ['--public-key', paths.pem, '--fluent-signature', 'AAAA'], '--body-file is required.'],
    [
      'no signature flag',
      () => ['--public-key', paths.pem, '--body-file', paths.body],
      'Give --fluent-signature, --flex-signature or both',
    ],
    [
      'an unreadable body file',
      () => ['--public-key', paths.pem, '--body-file', temp.path('missing.json'), '--fluent-signature', 'AAAA'],
      'the file does not exist',
    ],
    [
      'a key that is neither a key nor a file',
      () => ['--public-key', 'no-such-key.pem', '--body-file', paths.body, '--fluent-signature', 'AAAA'],
      'entry 1 (no-such-key.pem): is neither a key',
    ],
    [
      'a garbage key file',
      () => ['--public-key', paths.body, '--body-file', paths.body, '--fluent-signature', 'AAAA'],
      'body.json: is neither PEM nor base64',
    ],
    [
      'the same key twice',
      () => [
        '--public-key',
        paths.pem,
        '--public-key',
        paths.b64,
        '--body-file',
        paths.body,
        '--fluent-signature',
        'AAAA',
      ],
      'is the same key as',
    ],
    [
      'an unknown policy',
      () => [
        '--public-key',
        paths.pem,
        '--body-file',
        paths.body,
        '--fluent-signature',
        'AAAA',
        '--policy',
        'md5-only',
      ],
      '--policy md5-only: use one of prefer-sha512, require-sha512.',
    ],
    [
      'an unknown flag',
      () => ['--public-key', paths.pem, '--body-file', paths.body, '--signature', 'AAAA'],
      "Unknown option '--signature'",
    ],
    [
      'a flag without its value',
      () => ['--public-key', paths.pem, '--body-file'],
      "Option '--body-file <value>' argument missing",
    ],
  ])('exits 2 for %s', async (_case, argv, message) => {
    // Act
    const result = await verify(...argv());

    // Assess
    expect(result.code).toBe(ExitCode.USAGE);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
  });
});
