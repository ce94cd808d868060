import { createHash, createPublicKey, KeyObject, X509Certificate } from 'node:crypto';
import { MAX_RSA_KEY_BITS, MIN_RSA_KEY_BITS } from './constants';
import { ConfigurationError, InvalidPublicKeyError } from './errors';
import type { KeySource } from './key-sources';

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
  /** The key, ready for `crypto.verify`. */
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
  if (typeof text !== 'string') throw new InvalidPublicKeyError(label, `is ${describe(text)}; give the key text.`);
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
 * One key as {@link parseFluentPublicKeys} and `FluentSignatureVerifier` take it: the key text itself (Fluent's
 * base64, a PEM public key or certificate), a `{ text, label }` from `resolveKeySources` (keys read from files), or
 * a key parsed already.
 */
export type FluentPublicKeyInput = string | KeySource | FluentPublicKey;

/** What the key parsing accepts: one key text (several comma-separated), or a list of keys. */
export type FluentPublicKeysInput = string | readonly FluentPublicKeyInput[];

/**
 * Parses every configured key: `parseFluentPublicKeys('<base64 key>')`, `parseFluentPublicKeys([key1, key2])`, or
 * the `{ text, label }` list `resolveKeySources` reads from files. Fails on the first unusable one (a key is never
 * dropped silently) and when the list is empty or holds the same key twice; always with a
 * {@link ConfigurationError} that names the entry, whatever was passed.
 */
export function parseFluentPublicKeys(entries: FluentPublicKeysInput): FluentPublicKey[] {
  const list = listOfKeys(entries as unknown);
  if (list.length === 0) {
    throw new ConfigurationError(
      'No Fluent public key is configured. Set FLUENT_PUBLIC_KEYS (or the publicKeys context value) to the base64 key Fluent gave you for your region and environment.',
    );
  }
  const keys = list.map((entry, index) => toFluentPublicKey(entry, `entry ${index + 1}`));
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

/** The entries of what the caller passed; JavaScript callers may pass anything, and hear what to pass instead. */
function listOfKeys(entries: unknown): readonly unknown[] {
  if (typeof entries === 'string') return entries.split(',').filter((part) => part.trim().length > 0);
  if (Array.isArray(entries)) return entries;
  throw new ConfigurationError(
    `The public keys are ${describe(entries)}; give the key text Fluent gave you (a string), or an array of them.`,
  );
}

function toFluentPublicKey(entry: unknown, label: string): FluentPublicKey {
  if (typeof entry === 'string') return parseFluentPublicKey(entry, label);
  if (isParsedKey(entry)) return entry;
  if (isKeySource(entry)) return parseFluentPublicKey(entry.text, entry.label);
  throw new InvalidPublicKeyError(
    label,
    `is ${describe(entry)}; give the key text (a string), a { text, label } from resolveKeySources, or a parsed key.`,
  );
}

function isParsedKey(entry: unknown): entry is FluentPublicKey {
  return (
    typeof entry === 'object' &&
    entry !== null &&
    (entry as Partial<FluentPublicKey>).keyObject instanceof KeyObject &&
    typeof (entry as Partial<FluentPublicKey>).fingerprint === 'string' &&
    typeof (entry as Partial<FluentPublicKey>).label === 'string'
  );
}

function isKeySource(entry: unknown): entry is { text: string; label: string } {
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof (entry as { text?: unknown }).text === 'string' &&
    typeof (entry as { label?: unknown }).label === 'string'
  );
}

/** What a wrong value is, for a message: never the value itself, which could be a secret pasted in the wrong place. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object of another shape' : `of type ${typeof value}`;
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
