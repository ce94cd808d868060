import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openssl, opensslVerifies } from '../../support/openssl';
import { useTempDir } from '../../support/temp-dir';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'fluent-webhook.cjs');

describe('Program: bin/fluent-webhook.cjs', () => {
  const temp = useTempDir();

  /** Runs the real executable in a child process, from the temp dir (not the repository). */
  function cli(...argv: string[]) {
    const run = spawnSync(process.execPath, [BIN, ...argv], { cwd: temp.path(), encoding: 'utf8' });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  let keygen: ReturnType<typeof cli>;
  beforeAll(() => {
    keygen = cli('keygen', '--out', 'keys', '--bits', '1024');
  });

  it('round-trips keygen, sign and verify, with keys and signatures openssl agrees with', () => {
    // Prepare
    const body = temp.path('event.json');
    writeFileSync(body, '{"id":"e1","name":"Ünïcode","accountId":"ACME"}');

    // Act
    const signed = cli('sign', '--private-key', 'keys/private-key.pem', '--body-file', body);
    const headers = Object.fromEntries(
      signed.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(': ') as [string, string]),
    );
    const verified = cli(
      'verify',
      '--public-key',
      'keys/public-key.b64',
      '--body-file',
      body,
      '--fluent-signature',
      headers['fluent-signature'] ?? '',
    );
    writeFileSync(temp.path('tampered.json'), '{"id":"e2","name":"Ünïcode","accountId":"ACME"}');
    const tampered = cli(
      'verify',
      '--public-key',
      'keys/public-key.pem',
      '--body-file',
      'tampered.json',
      '--flex-signature',
      headers['flex.signature'] ?? '',
    );

    // Assess
    expect([keygen.code, signed.code, verified.code, tampered.code]).toEqual([0, 0, 0, 1]);
    expect(Object.keys(headers)).toEqual(['fluent-signature', 'flex.signature']);
    expect(verified.stdout).toMatch(
      /^Valid: fluent-signature \(SHA512withRSA\) matches key sha256:[0-9a-f]{16} \(keys\/public-key\.b64\)\.\n$/,
    );
    expect(tampered.stderr).toContain('Invalid (no-matching-key)');
    for (const [header, algorithm] of [
      ['fluent-signature', 'sha512'],
      ['flex.signature', 'md5'],
    ] as const) {
      writeFileSync(temp.path(`${algorithm}.sig`), Buffer.from(headers[header] ?? '', 'base64'));
      expect(opensslVerifies(algorithm, temp.path('keys', 'public-key.pem'), temp.path(`${algorithm}.sig`), body)).toBe(
        true,
      );
    }
  });

  it('verifies a signature openssl made with the private key keygen wrote', () => {
    // Prepare
    const body = temp.path('openssl-body.json');
    writeFileSync(body, '{"id":"e3"}\r\n');
    const signature = openssl('dgst', '-sha512', '-sign', temp.path('keys', 'private-key.pem'), body).toString(
      'base64',
    );

    // Act
    const verified = cli(
      'verify',
      '--public-key',
      'keys/public-key.pem',
      '--body-file',
      body,
      '--fluent-signature',
      signature,
    );

    // Assess
    expect(keygen.code).toBe(0);
    expect(verified.code).toBe(0);
  });

  it.each([
    [['--help'], 0, 'stdout', 'Commands:'],
    [['verify', '--help'], 0, 'stdout', 'Usage: fluent-webhook verify'],
    [['no-such-command'], 2, 'stderr', 'unknown command "no-such-command"'],
    [['sign', '--private-key'], 2, 'stderr', "Option '--private-key <value>' argument missing"],
  ])('exits with the documented code for %j', (argv, code, stream, text) => {
    // Act
    const run = cli(...argv);

    // Assess
    expect(run.code).toBe(code);
    expect(run[stream as 'stdout' | 'stderr']).toContain(text);
  });
});
