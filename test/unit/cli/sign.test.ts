import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { bufferedIo } from '../../../tools/cli/cli-io';
import { ExitCode } from '../../../tools/cli/command';
import { runCli } from '../../../tools/cli/run-cli';
import { FluentSignatureVerifier, signFluentPayload } from '../../../lambdas/core';
import { useTempDir } from '../../support/temp-dir';
import { testKeyPair } from '../../support/test-keys';

describe('Command: sign', () => {
  const temp = useTempDir();
  const keys = testKeyPair(1024, 'cli-sign');
  const body = Buffer.from('{"id":"1","name":"Ünïcødé \\u00e9"}\r\n', 'utf8');
  let keyPath: string;
  let bodyPath: string;

  beforeAll(() => {
    keyPath = temp.path('private-key.pem');
    bodyPath = temp.path('body.json');
    writeFileSync(keyPath, keys.privateKeyPem);
    writeFileSync(bodyPath, body);
  });

  it('prints both header lines exactly as Fluent sends them, signed over the exact file bytes', async () => {
    // Prepare
    const io = bufferedIo();
    const expected = signFluentPayload(body, keys.privateKey);

    // Act
    const code = await runCli(['sign', '--private-key', keyPath, '--body-file', bodyPath], io);

    // Assess
    expect(code).toBe(ExitCode.OK);
    expect(io.stdout()).toBe(
      `fluent-signature: ${expected['fluent-signature']}\nflex.signature: ${expected['flex.signature']}\n`,
    );
    const headers = Object.fromEntries(
      io
        .stdout()
        .trim()
        .split('\n')
        .map((line) => line.split(': ') as [string, string]),
    );
    expect(new FluentSignatureVerifier({ publicKeys: [keys.parsed] }).verify(body, headers)).toMatchObject({
      ok: true,
    });
  });

  it('reads a PKCS#1 "RSA PRIVATE KEY" PEM as well', async () => {
    // Prepare
    const io = bufferedIo();
    const pkcs1Path = temp.path('pkcs1.pem');
    writeFileSync(pkcs1Path, keys.privateKey.export({ type: 'pkcs1', format: 'pem' }));

    // Act
    const code = await runCli(['sign', '--private-key', pkcs1Path, '--body-file', bodyPath], io);

    // Assess
    expect(code).toBe(ExitCode.OK);
    expect(io.stdout()).toContain(signFluentPayload(body, keys.privateKey)['fluent-signature']);
  });

  it.each([
    ['no --private-key', () => ['--body-file', bodyPath], '--private-key is required.'],
    ['no --body-file', () => ['--private-key', keyPath], '--body-file is required.'],
    [
      'a missing body file',
      () => ['--private-key', keyPath, '--body-file', temp.path('nope.json')],
      'the file does not exist',
    ],
    [
      'a directory as body file',
      () => ['--private-key', keyPath, '--body-file', temp.path()],
      'the file is a directory',
    ],
    [
      'a missing key file',
      () => ['--private-key', temp.path('nope.pem'), '--body-file', bodyPath],
      'the file does not exist',
    ],
    [
      'a key file that is not a key',
      () => ['--private-key', bodyPath, '--body-file', bodyPath],
      'not a readable PEM private key',
    ],
    [
      'an EC private key',
      () => ['--private-key', writeEcKey(temp.path('ec.pem')), '--body-file', bodyPath],
      'holds a key of type ec; Fluent signs with RSA',
    ],
    ['an unknown flag', () => ['--private-key', keyPath, '--body-file', bodyPath, '--sha1'], "Unknown option '--sha1'"],
  ])('exits 2 for %s', async (_case, argv, message) => {
    // Prepare
    const io = bufferedIo();

    // Act
    const code = await runCli(['sign', ...argv()], io);

    // Assess
    expect(code).toBe(ExitCode.USAGE);
    expect(io.stderr()).toContain(message);
    expect(io.stdout()).toBe('');
  });
});

function writeEcKey(path: string): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return path;
}
