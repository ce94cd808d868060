import { generateKeyPair } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
    const existing = Object.values(paths).filter((path) => existsSync(path));
    if (existing.length > 0 && options.force !== true) {
      throw new UsageError(`${existing.join(', ')} already exist; pass --force to overwrite, or choose another --out.`);
    }

    const { publicKey, privateKey } = await generateRsaKeyPair('rsa', { modulusLength: bits });
    const spkiBase64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    mkdirSync(dir, { recursive: true });
    writeFileSync(paths.privateKeyPem, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    // The mode option applies only to new files; --force onto an existing file must tighten it too.
    chmodSync(paths.privateKeyPem, 0o600);
    writeFileSync(paths.publicKeyPem, publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(paths.publicKeyBase64, `${spkiBase64}\n`);

    const { fingerprint } = parseFluentPublicKey(spkiBase64, paths.publicKeyBase64);
    io.out(`Wrote a ${bits}-bit RSA key pair (public key fingerprint ${fingerprint}):`);
    for (const path of Object.values(paths)) io.out(`  ${path}`);
    io.err(`Sign a body with: fluent-webhook sign --private-key ${paths.privateKeyPem} --body-file event.json`);
    return ExitCode.OK;
  },
};

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
