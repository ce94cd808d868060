import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import {
  ConfigurationError,
  fingerprintOf,
  FluentSignatureVerifier,
  InvalidPublicKeyError,
  parseFluentPublicKey,
  parseFluentPublicKeys,
  signFluentPayload,
} from '../../../lambdas/core';
import { openssl } from '../../support/openssl';
import { useTempDir } from '../../support/temp-dir';
import { testKeyPair } from '../../support/test-keys';

describe('Function: parseFluentPublicKey', () => {
  const temp = useTempDir();
  const keys = testKeyPair(1024, 'formats');
  const body = Buffer.from('{"id":"1"}');
  const signed = signFluentPayload(body, keys.privateKey);
  const formats: Record<string, string> = {};

  beforeAll(() => {
    // Certificates are made by the openssl command line, as a user would make or receive them.
    const keyPath = temp.path('private-key.pem');
    writeFileSync(keyPath, keys.privateKeyPem);
    const certificatePem = openssl(
      'req',
      '-x509',
      '-new',
      '-key',
      keyPath,
      '-subj',
      '/CN=test',
      '-days',
      '1',
    ).toString();
    Object.assign(formats, {
      'Fluent base64 DER SPKI': keys.publicKeyBase64,
      'Fluent base64 wrapped over lines': keys.publicKeyBase64.replace(/(.{64})/g, '$1\n'),
      'Fluent base64 with surrounding blanks': `\n  ${keys.publicKeyBase64}  \n`,
      'PEM SPKI (BEGIN PUBLIC KEY)': keys.publicKeyPem,
      'PEM PKCS#1 (BEGIN RSA PUBLIC KEY)': createPublicKey(keys.publicKeyPem)
        .export({ type: 'pkcs1', format: 'pem' })
        .toString(),
      'PEM with CRLF line ends': keys.publicKeyPem.replace(/\n/g, '\r\n'),
      'PEM X.509 certificate': certificatePem,
      'base64 DER X.509 certificate': openssl(
        'x509',
        '-in',
        writeTemp('cert.pem', certificatePem),
        '-outform',
        'DER',
      ).toString('base64'),
    });
  });

  function writeTemp(name: string, content: string | Buffer): string {
    writeFileSync(temp.path(name), content);
    return temp.path(name);
  }

  it.each([
    ['Fluent base64 DER SPKI'],
    ['Fluent base64 wrapped over lines'],
    ['Fluent base64 with surrounding blanks'],
    ['PEM SPKI (BEGIN PUBLIC KEY)'],
    ['PEM PKCS#1 (BEGIN RSA PUBLIC KEY)'],
    ['PEM with CRLF line ends'],
    ['PEM X.509 certificate'],
    ['base64 DER X.509 certificate'],
  ])('reads %s into the same key, which verifies Fluent signatures', (format) => {
    // Act
    const parsed = parseFluentPublicKey(formats[format] as string, 'my key');

    // Assess
    expect(parsed).toMatchObject({
      label: 'my key',
      bits: 1024,
      spkiBase64: keys.publicKeyBase64,
      fingerprint: keys.parsed.fingerprint,
    });
    expect(new FluentSignatureVerifier({ publicKeys: [parsed] }).verify(body, signed)).toMatchObject({ ok: true });
  });

  it.each([1024, 2048, 4096])('reads %i-bit keys', (bits) => {
    // Prepare
    const sized = testKeyPair(bits, 'formats');

    // Act
    const parsed = parseFluentPublicKey(sized.publicKeyBase64, 'sized');

    // Assess
    expect(parsed.bits).toBe(bits);
  });

  it('fingerprints the DER SubjectPublicKeyInfo as sha256: and 16 hex digits', () => {
    // Act
    const fingerprint = fingerprintOf(Buffer.from(keys.publicKeyBase64, 'base64'));

    // Assess
    expect(fingerprint).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(fingerprint).toBe(keys.parsed.fingerprint);
    expect(fingerprintOf(Buffer.from(testKeyPair(1024, 'other').publicKeyBase64, 'base64'))).not.toBe(fingerprint);
  });

  describe('unusable keys', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const ed25519 = generateKeyPairSync('ed25519').publicKey;
    const small = generateKeyPairSync('rsa', { modulusLength: 512 }).publicKey;

    it.each([
      [
        'an EC key (PEM)',
        () => ec.export({ type: 'spki', format: 'pem' }).toString(),
        'is a key of type ec; Fluent signs with RSA',
      ],
      [
        'an EC key (base64)',
        () => ec.export({ type: 'spki', format: 'der' }).toString('base64'),
        'is a key of type ec',
      ],
      ['an Ed25519 key', () => ed25519.export({ type: 'spki', format: 'pem' }).toString(), 'is a key of type ed25519'],
      [
        'a 512-bit RSA key',
        () => small.export({ type: 'spki', format: 'der' }).toString('base64'),
        'is a 512-bit RSA key; use a key of 1024 to 4096 bits',
      ],
      ['garbage', () => 'this is not a key', 'is neither PEM nor base64'],
      ['an empty string', () => '', 'is empty.'],
      ['only blanks', () => ' \n\t ', 'is empty.'],
      [
        'base64 of something else',
        () => Buffer.from('hello world, this is no key').toString('base64'),
        'is base64 but not a DER SubjectPublicKeyInfo',
      ],
      [
        'a truncated Fluent key',
        () => keys.publicKeyBase64.slice(0, 100),
        'is base64 but not a DER SubjectPublicKeyInfo',
      ],
      ['base64 of the wrong length', () => keys.publicKeyBase64.slice(0, 101), 'is neither PEM nor base64'],
      [
        'a PEM key with a damaged body',
        () => keys.publicKeyPem.replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!'),
        'is not a readable PEM public key',
      ],
      ['a PKCS#8 PEM private key', () => keys.privateKeyPem, 'is a PRIVATE key. Configure the public key only'],
      [
        'a PKCS#1 PEM private key',
        () => keys.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
        'is a PRIVATE key',
      ],
      [
        'a base64 DER private key',
        () => keys.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
        'is base64 but not a DER SubjectPublicKeyInfo',
      ],
      [
        'a damaged PEM certificate',
        () => '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
        'is not a readable PEM X.509 certificate',
      ],
    ])('rejects %s with a message naming the entry', (_case, text, problem) => {
      // Act
      const parse = () => parseFluentPublicKey(text(), 'entry 3');

      // Assess
      expect(parse).toThrow(InvalidPublicKeyError);
      expect(parse).toThrow(`Public key entry 3: ${problem}`);
    });

    it('keeps the entry on the error for callers to report', () => {
      // Act
      let error: unknown;
      try {
        parseFluentPublicKey('garbage', '/etc/fluent/key.pem');
      } catch (caught) {
        error = caught;
      }

      // Assess
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error).toMatchObject({ name: 'InvalidPublicKeyError', entry: '/etc/fluent/key.pem' });
    });
  });
});

describe('Function: parseFluentPublicKeys', () => {
  const first = testKeyPair(1024, 'list-1');
  const second = testKeyPair(1024, 'list-2');

  it('parses every entry in order, keeping each label', () => {
    // Act
    const parsed = parseFluentPublicKeys([
      { text: first.publicKeyBase64, label: 'sydney' },
      { text: second.publicKeyPem, label: 'frankfurt' },
    ]);

    // Assess
    expect(parsed.map((key) => [key.label, key.fingerprint])).toEqual([
      ['sydney', first.parsed.fingerprint],
      ['frankfurt', second.parsed.fingerprint],
    ]);
  });

  it('refuses an empty list, saying which setting to fill in', () => {
    // Act
    const parse = () => parseFluentPublicKeys([]);

    // Assess
    expect(parse).toThrow(ConfigurationError);
    expect(parse).toThrow('Set FLUENT_PUBLIC_KEYS');
  });

  it('refuses the same key twice, in any format, naming both entries', () => {
    // Act
    const parse = () =>
      parseFluentPublicKeys([
        { text: first.publicKeyBase64, label: 'entry 1' },
        { text: second.publicKeyBase64, label: 'entry 2' },
        { text: first.publicKeyPem, label: 'keys/fluent.pem' },
      ]);

    // Assess
    expect(parse).toThrow(
      `Public key keys/fluent.pem: is the same key as entry 1 (${first.parsed.fingerprint}); list each key once.`,
    );
  });

  it('fails on the first unusable entry rather than dropping it', () => {
    // Act
    const parse = () =>
      parseFluentPublicKeys([
        { text: first.publicKeyBase64, label: 'entry 1' },
        { text: 'MIIB', label: 'entry 2' },
      ]);

    // Assess
    expect(parse).toThrow(/^Public key entry 2: /);
  });

  describe('plain key text, the one-call form', () => {
    it('takes the key text itself, one string or an array of them, labelled by position', () => {
      // Act
      const single = parseFluentPublicKeys(first.publicKeyBase64);
      const list = parseFluentPublicKeys([first.publicKeyBase64, second.publicKeyPem]);
      const commaSeparated = parseFluentPublicKeys(`${first.publicKeyBase64}, ${second.publicKeyBase64}`);

      // Assess
      expect(single.map((key) => [key.label, key.fingerprint])).toEqual([['entry 1', first.parsed.fingerprint]]);
      expect(list.map((key) => key.fingerprint)).toEqual([first.parsed.fingerprint, second.parsed.fingerprint]);
      expect(commaSeparated.map((key) => key.label)).toEqual(['entry 1', 'entry 2']);
    });

    it('passes keys parsed already through, and mixes them with key text', () => {
      // Act
      const parsed = parseFluentPublicKeys([first.parsed, second.publicKeyBase64]);

      // Assess
      expect(parsed[0]).toBe(first.parsed);
      expect(parsed[1]?.fingerprint).toBe(second.parsed.fingerprint);
    });

    it('applies the same validation to plain strings, naming the entry', () => {
      // Act
      const parse = () => parseFluentPublicKeys([first.publicKeyBase64, 'not a key']);
      const twice = () => parseFluentPublicKeys([first.publicKeyBase64, first.publicKeyPem]);

      // Assess
      expect(parse).toThrow(InvalidPublicKeyError);
      expect(parse).toThrow(/^Public key entry 2: is neither PEM nor base64/);
      expect(twice).toThrow(`Public key entry 2: is the same key as entry 1 (${first.parsed.fingerprint})`);
    });

    it.each([
      ['undefined', undefined, /^The public keys are of type undefined; give the key text/],
      ['a number', 42, /^The public keys are of type number/],
      ['an object', { key: 'x' }, /^The public keys are an object of another shape/],
      ['null in a list', [null], /^Public key entry 1: is null; give the key text/],
      ['a number in a list', [7], /^Public key entry 1: is of type number/],
      ['a key source without text', [{ label: 'x' }], /^Public key entry 1: is an object of another shape/],
    ])('refuses %s with a ConfigurationError, never a TypeError', (_name, input, message) => {
      // Act
      const parse = () => parseFluentPublicKeys(input as never);

      // Assess
      expect(parse).toThrow(ConfigurationError);
      expect(parse).toThrow(message);
    });

    it('refuses a key of the wrong type given to parseFluentPublicKey with a ConfigurationError', () => {
      // Act
      const parse = () => parseFluentPublicKey(undefined as never, 'entry 1');

      // Assess
      expect(parse).toThrow(InvalidPublicKeyError);
    });
  });
});
