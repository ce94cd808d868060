import { generateKeyPair } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { MAX_RSA_KEY_BITS, MIN_RSA_KEY_BITS } from '../../../lambdas/core/constants';
import { parseFluentPublicKey } from '../../../lambdas/core/public-keys';
import { CliCommand, ExitCode, UsageError } from '../command';
import { parseOptions, required } from '../parse-options';

const generateRsaKeyPair = promisify(generateKeyPair);

/** File names keygen writes into `--out`. */
export const KEYGEN_FILES = {
  publicKeyBase64: 'public-key.b64',
  publicKeyPem: 'public-key.pem',
  privateKeyPem: 'private-key.pem',
} as const;

const DEFAULT_BITS = 2048;

export const keygenCommand: CliCommand = {
  name: 'keygen',
  summary: "Write a test RSA key pair (public key in Fluent's base64 format and PEM, private key PEM).",
  usage: [
    'Usage: fluent-webhook keygen --out DIR [--bits N] [--force]',
    '',
    'Writes a throwaway key pair for signing test webhooks:',
    `  DIR/${KEYGEN_FILES.publicKeyBase64}   public key as Fluent publishes it (base64 DER SubjectPublicKeyInfo)`,
    `  DIR/${KEYGEN_FILES.publicKeyPem}   the same public key as PEM`,
    `  DIR/${KEYGEN_FILES.privateKeyPem}  private key, PKCS#8 PEM, readable by you only (mode 0600)`,
    '',
    'Options:',
    '  --out DIR    directory to write into (created if missing)',
    `  --bits N     RSA key size, ${MIN_RSA_KEY_BITS} to ${MAX_RSA_KEY_BITS} (default ${DEFAULT_BITS}; Fluent itself uses 1024)`,
    '  --force      overwrite existing key files',
  ].join('\n'),

  async run(argv, io) {
    const options = parseOptions(argv, {
      out: { type: 'string' },
      bits: { type: 'string' },
      force: { type: 'boolean', default: false },
    });
    const dir = required(options.out, 'out');
    const bits = readBits(options.bits);
    const paths = {
      publicKeyBase64: join(dir, KEYGEN_FILES.publicKeyBase64),
      publicKeyPem: join(dir, KEYGEN_FILES.publicKeyPem),
      privateKeyPem: join(dir, KEYGEN_FILES.privateKeyPem),
    };
    makeOutputDirectory(dir);
    const force = options.force === true;
    const existing = Object.values(paths).filter((path) => existsSync(path));
    if (existing.length > 0 && !force) {
      throw new UsageError(`${existing.join(', ')} already exist; pass --force to overwrite, or choose another --out.`);
    }
    // Opening a FIFO or a device for writing would wait for a reader, or write somewhere else entirely.
    const special = existing.find((path) => !lstatSync(path).isFile());
    if (special !== undefined) throw new UsageError(`--out ${dir}: ${special} is not a regular file; remove it first.`);

    const { publicKey, privateKey } = await generateRsaKeyPair('rsa', { modulusLength: bits });
    const spkiBase64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    // Exclusive create unless --force: a file that appeared since the check above is never overwritten.
    const write = (path: string, data: string | Buffer, mode?: number): void =>
      writeKeyFile(path, data, { flag: force ? 'w' : 'wx', ...(mode === undefined ? {} : { mode }) });
    write(paths.privateKeyPem, privateKey.export({ type: 'pkcs8', format: 'pem' }), 0o600);
    // The mode option applies only to new files; --force onto an existing file must tighten it too.
    chmodSync(paths.privateKeyPem, 0o600);
    write(paths.publicKeyPem, publicKey.export({ type: 'spki', format: 'pem' }));
    write(paths.publicKeyBase64, `${spkiBase64}\n`);

    const { fingerprint } = parseFluentPublicKey(spkiBase64, paths.publicKeyBase64);
    io.out(`Wrote a ${bits}-bit RSA key pair (public key fingerprint ${fingerprint}):`);
    for (const path of Object.values(paths)) io.out(`  ${path}`);
    io.err(`Sign a body with: fluent-webhook sign --private-key ${paths.privateKeyPem} --body-file event.json`);
    return ExitCode.OK;
  },
};

/**
 * Creates `--out` and any missing parents, one level at a time. Not `mkdirSync(..., { recursive: true })`: on some
 * special file systems (`/proc/1/x`) Node's recursive mkdir retries forever; one level at a time fails at once.
 */
function makeOutputDirectory(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  while (!existsSync(at)) {
    missing.unshift(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  if (!statSync(at).isDirectory()) {
    throw new UsageError(
      at === resolve(dir)
        ? `--out ${dir}: exists and is not a directory; name a directory (it is created if missing).`
        : `--out ${dir}: ${at} is not a directory.`,
    );
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (error) {
      throw new UsageError(`--out ${dir}: cannot create ${level} (${(error as NodeJS.ErrnoException).code}).`, {
        cause: error,
      });
    }
  }
}

function writeKeyFile(path: string, data: string | Buffer, options: { flag: string; mode?: number }): void {
  try {
    writeFileSync(path, data, options);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' ? 'appeared meanwhile; pass --force to overwrite' : `cannot be written (${code})`;
    throw new UsageError(`--out: ${path} ${why}.`, { cause: error });
  }
}

function readBits(value: string | undefined): number {
  if (value === undefined) return DEFAULT_BITS;
  const bits = Number(value);
  if (!Number.isInteger(bits) || bits < MIN_RSA_KEY_BITS || bits > MAX_RSA_KEY_BITS || bits % 8 !== 0) {
    throw new UsageError(
      `--bits ${value}: use a whole number of bits from ${MIN_RSA_KEY_BITS} to ${MAX_RSA_KEY_BITS}, a multiple of 8 (for example 1024 or 2048).`,
    );
  }
  return bits;
}
