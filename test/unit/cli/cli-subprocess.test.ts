import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openssl, opensslVerifies } from '../../support/openssl';
import { useTempDir } from '../../support/temp-dir';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'fluent-webhook.cjs');

describe('Program: bin/fluent-webhook.cjs (the built CLI)', () => {
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

  it('prints the package version for --version and -v', () => {
    // Prepare
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

    // Act
    const runs = [cli('--version'), cli('-v')];

    // Assess
    expect(runs.map((run) => [run.code, run.stdout])).toEqual([
      [0, `${version}\n`],
      [0, `${version}\n`],
    ]);
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

  it('ends quietly, with exit 0, when the reader of its output goes away (sign | true)', () => {
    // Prepare
    writeFileSync(temp.path('piped.json'), '{"id":"e1"}');
    const command = `"${process.execPath}" "${BIN}" sign --private-key keys/private-key.pem --body-file piped.json | true; exit \${PIPESTATUS[0]}`;

    // Act: several runs, as whether the write meets a closed pipe depends on timing.
    const runs = Array.from({ length: 3 }, () =>
      spawnSync('bash', ['-c', command], { cwd: temp.path(), encoding: 'utf8' }),
    );

    // Assess
    for (const run of runs) {
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
    }
  });

  it.each([
    [
      'a directory as --public-key',
      ['verify', '--public-key', '.', '--body-file', 'event.json', '--fluent-signature', 'AA=='],
      /^fluent-webhook verify: --public-key: .*is a directory/,
    ],
    [
      'an existing file as keygen --out',
      ['keygen', '--out', 'event.json'],
      /^fluent-webhook keygen: --out event\.json: exists and is not a directory/,
    ],
    [
      'a --out under /proc, where recursive mkdir never ends',
      ['keygen', '--out', '/proc/1/fluent-webhook-test'],
      /^fluent-webhook keygen: --out \/proc\/1\/fluent-webhook-test: cannot create/,
    ],
    [
      'a FIFO as --body-file, which would block the read',
      ['sign', '--private-key', 'keys/private-key.pem', '--body-file', 'fifo'],
      /^fluent-webhook sign: --body-file fifo: not a regular file/,
    ],
  ])('refuses %s with exit 2 and one line naming the flag, no stack trace', (_case, argv, message) => {
    // Prepare
    writeFileSync(temp.path('event.json'), '{"id":"e1"}');
    spawnSync('mkfifo', [temp.path('fifo')]);

    // Act
    const run = spawnSync(process.execPath, [BIN, ...argv], { cwd: temp.path(), encoding: 'utf8', timeout: 20_000 });

    // Assess
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
