import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { bufferedIo } from '../../../tools/cli/cli-io';
import { ExitCode } from '../../../tools/cli/command';
import { KEYGEN_FILES } from '../../../tools/cli/commands/keygen';
import { runCli } from '../../../tools/cli/run-cli';
import { parseFluentPublicKey } from '../../../lambdas/core';
import { useTempDir } from '../../support/temp-dir';

describe('Command: keygen', () => {
  const temp = useTempDir();

  it('writes a matching key pair: Fluent base64, PEM public key, and a private key only its owner can read', async () => {
    // Prepare
    const io = bufferedIo();
    const dir = temp.path('fresh', 'nested');

    // Act
    const code = await runCli(['keygen', '--out', dir, '--bits', '1024'], io);

    // Assess
    expect(code).toBe(ExitCode.OK);
    const base64 = readFileSync(`${dir}/${KEYGEN_FILES.publicKeyBase64}`, 'utf8');
    const pem = readFileSync(`${dir}/${KEYGEN_FILES.publicKeyPem}`, 'utf8');
    const privatePem = readFileSync(`${dir}/${KEYGEN_FILES.privateKeyPem}`, 'utf8');
    expect(base64).toMatch(/^MIGfMA0GCSqGSIb3DQEBAQUAA4GNAD[A-Za-z0-9+/]+={0,2}\n$/);
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(statSync(`${dir}/${KEYGEN_FILES.privateKeyPem}`).mode & 0o777).toBe(0o600);
    const parsed = parseFluentPublicKey(base64, 'b64');
    expect(parseFluentPublicKey(pem, 'pem').fingerprint).toBe(parsed.fingerprint);
    expect(parsed.bits).toBe(1024);
    const signature = sign('sha512', Buffer.from('x'), createPrivateKey(privatePem));
    expect(verify('sha512', Buffer.from('x'), createPublicKey(pem), signature)).toBe(true);
    expect(io.stdout()).toContain(parsed.fingerprint);
  });

  it('makes 2048-bit keys by default', async () => {
    // Prepare
    const dir = temp.path('default-bits');

    // Act
    const code = await runCli(['keygen', '--out', dir], bufferedIo());

    // Assess
    expect(code).toBe(ExitCode.OK);
    expect(parseFluentPublicKey(readFileSync(`${dir}/${KEYGEN_FILES.publicKeyBase64}`, 'utf8'), 'b64').bits).toBe(2048);
  });

  it('refuses to overwrite existing key files without --force, and overwrites them (keeping 0600) with it', async () => {
    // Prepare
    const dir = temp.path('existing');
    expect(await runCli(['keygen', '--out', dir, '--bits', '1024'], bufferedIo())).toBe(ExitCode.OK);
    const before = readFileSync(`${dir}/${KEYGEN_FILES.publicKeyBase64}`, 'utf8');
    writeFileSync(`${dir}/${KEYGEN_FILES.privateKeyPem}`, 'old', { mode: 0o644 });
    const refused = bufferedIo();

    // Act
    const refusedCode = await runCli(['keygen', '--out', dir, '--bits', '1024'], refused);
    const forcedCode = await runCli(['keygen', '--out', dir, '--bits', '1024', '--force'], bufferedIo());

    // Assess
    expect(refusedCode).toBe(ExitCode.USAGE);
    expect(refused.stderr()).toContain('already exist; pass --force to overwrite');
    expect(forcedCode).toBe(ExitCode.OK);
    expect(readFileSync(`${dir}/${KEYGEN_FILES.publicKeyBase64}`, 'utf8')).not.toBe(before);
    expect(statSync(`${dir}/${KEYGEN_FILES.privateKeyPem}`).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['no --out', ['--bits', '1024'], '--out is required.'],
    ['too few bits', ['--out', 'x', '--bits', '512'], '--bits 512: use a whole number of bits from 1024 to 4096'],
    ['too many bits', ['--out', 'x', '--bits', '8192'], '--bits 8192'],
    ['bits that are not a number', ['--out', 'x', '--bits', 'lots'], '--bits lots'],
    ['an unknown flag', ['--out', 'x', '--colour'], "Unknown option '--colour'"],
    ['a positional argument', ['x'], 'Unexpected argument'],
  ])('exits 2 for %s', async (_case, argv, message) => {
    // Prepare
    const io = bufferedIo();

    // Act
    const code = await runCli(['keygen', ...argv], io);

    // Assess
    expect(code).toBe(ExitCode.USAGE);
    expect(io.stderr()).toContain(message);
  });
});
