import { createHash, createPublicKey, KeyObject, X509Certificate } from 'node:crypto';
import { MAX_RSA_KEY_BITS, MIN_RSA_KEY_BITS } from './constants';
import { ConfigurationError, InvalidPublicKeyError } from './errors';

/** A Fluent public key, parsed once at start-up and reused for every verification. */
export interface FluentPublicKey {
  /** Where the key came from, for messages: a file path or `entry N`. */
  readonly label: string;
  /** `sha256:` and the first 16 hex digits of SHA-256 over the DER SubjectPublicKeyInfo. Safe to log. */
  readonly fingerprint: string;
  /** RSA modulus length in bits. */
  readonly bits: number;
  /** The key in Fluent's own format: base64 DER SubjectPublicKeyInfo, no armour. */
  readonly spkiBase64: string;
  readonly keyObject: KeyObject;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----/;
const PEM_ANY = /-----BEGIN [A-Z0-9 ]+-----/;
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Parses one public key given as Fluent's base64 DER SubjectPublicKeyInfo, a PEM public key
 * (SPKI or PKCS#1) or a PEM X.509 certificate. Throws {@link InvalidPublicKeyError} naming `label`.
 */
export function parseFluentPublicKey(text: string, label: string): FluentPublicKey {
  const keyObject = toKeyObject(text.trim(), label);
  if (keyObject.asymmetricKeyType !== 'rsa') {
    throw new InvalidPublicKeyError(
      label,
      `is a key of type ${keyObject.asymmetricKeyType ?? 'unknown'}; Fluent signs with RSA (PKCS#1 v1.5), so only RSA keys can verify its webhooks.`,
    );
  }
  const bits = keyObject.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_KEY_BITS || bits > MAX_RSA_KEY_BITS) {
    throw new InvalidPublicKeyError(
      label,
      `is a ${bits}-bit RSA key; use a key of ${MIN_RSA_KEY_BITS} to ${MAX_RSA_KEY_BITS} bits.`,
    );
  }
  const der = keyObject.export({ type: 'spki', format: 'der' });
  return {
    label,
    fingerprint: fingerprintOf(der),
    bits,
    spkiBase64: der.toString('base64'),
    keyObject,
  };
}

/**
 * Parses every configured key. Fails on the first unusable one (a key is never dropped silently)
 * and when the list is empty or holds the same key twice.
 */
export function parseFluentPublicKeys(
  entries: ReadonlyArray<{ readonly text: string; readonly label: string }>,
): FluentPublicKey[] {
  if (entries.length === 0) {
    throw new ConfigurationError(
      'No Fluent public key is configured. Set FLUENT_PUBLIC_KEYS (or the publicKeys context value) to the base64 key Fluent gave you for your region and environment.',
    );
  }
  const keys = entries.map((entry) => parseFluentPublicKey(entry.text, entry.label));
  const seen = new Map<string, string>();
  for (const key of keys) {
    const earlier = seen.get(key.fingerprint);
    if (earlier !== undefined) {
      throw new InvalidPublicKeyError(
        key.label,
        `is the same key as ${earlier} (${key.fingerprint}); list each key once.`,
      );
    }
    seen.set(key.fingerprint, key.label);
  }
  return keys;
}

/** `sha256:` and 16 hex digits over DER SubjectPublicKeyInfo bytes. */
export function fingerprintOf(spkiDer: Buffer): string {
  return `sha256:${createHash('sha256').update(spkiDer).digest('hex').slice(0, 16)}`;
}

function toKeyObject(text: string, label: string): KeyObject {
  if (text.length === 0) {
    throw new InvalidPublicKeyError(label, 'is empty.');
  }
  if (PEM_CERTIFICATE.test(text)) {
    return attempt(label, 'is not a readable PEM X.509 certificate', () => new X509Certificate(text).publicKey);
  }
  if (PEM_PRIVATE_KEY.test(text)) {
    // createPublicKey would quietly derive the public half; a private key in configuration is a leak to stop.
    throw new InvalidPublicKeyError(
      label,
      'is a PRIVATE key. Configure the public key only, and keep the private key out of configuration.',
    );
  }
  if (PEM_ANY.test(text)) {
    return attempt(label, 'is not a readable PEM public key', () => createPublicKey({ key: text, format: 'pem' }));
  }
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact) || compact.length % 4 !== 0) {
    throw new InvalidPublicKeyError(
      label,
      'is neither PEM nor base64. Paste the key exactly as Fluent gave it (it usually starts with MIGfMA0GCSqGSIb3DQEBAQUAA4GNAD), or give a PEM key or certificate.',
    );
  }
  const der = Buffer.from(compact, 'base64');
  try {
    return createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch (spkiError) {
    // Some people paste a base64 DER certificate instead of the bare key: accept that too.
    try {
      return new X509Certificate(der).publicKey;
    } catch {
      throw new InvalidPublicKeyError(
        label,
        'is base64 but not a DER SubjectPublicKeyInfo (or certificate). Check that the whole key was copied.',
        { cause: spkiError },
      );
    }
  }
}

function attempt(label: string, problem: string, parse: () => KeyObject): KeyObject {
  try {
    return parse();
  } catch (error) {
    throw new InvalidPublicKeyError(label, `${problem}: ${(error as Error).message}`, { cause: error });
  }
}
