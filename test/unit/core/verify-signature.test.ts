import {
  ConfigurationError,
  FLEX_SIGNATURE_HEADER,
  FLUENT_SIGNATURE_HEADER,
  FluentSignatureVerifier,
  REJECTION_MESSAGES,
  RejectionReason,
  SignaturePolicy,
  signFluentPayload,
} from '../../../lambdas/core';
import { fluentEventBody } from '../../support/factories';
import { testKeyPair } from '../../support/test-keys';

describe('Class: FluentSignatureVerifier', () => {
  const fluent = testKeyPair(1024, 'fluent');
  const stranger = testKeyPair(1024, 'stranger');
  const body = fluentEventBody();
  const good = signFluentPayload(body, fluent.privateKey);
  const forged = signFluentPayload(body, stranger.privateKey);
  const verifier = new FluentSignatureVerifier({ publicKeys: [fluent.parsed] });
  const strict = new FluentSignatureVerifier({ publicKeys: [fluent.parsed], policy: SignaturePolicy.REQUIRE_SHA512 });

  it('accepts a body signed with the configured key and says which header and key matched', () => {
    // Act
    const result = verifier.verify(body, good);

    // Assess
    expect(result).toEqual({
      ok: true,
      header: FLUENT_SIGNATURE_HEADER,
      algorithm: 'sha512',
      keyFingerprint: fluent.parsed.fingerprint,
      keyLabel: fluent.parsed.label,
    });
  });

  it.each([1024, 2048, 4096])('accepts both signature schemes under a %i-bit key', (bits) => {
    // Prepare
    const keys = testKeyPair(bits, 'size');
    const signed = signFluentPayload(body, keys.privateKey);
    const sized = new FluentSignatureVerifier({ publicKeys: [keys.parsed] });

    // Act
    const sha512 = sized.verify(body, { [FLUENT_SIGNATURE_HEADER]: signed[FLUENT_SIGNATURE_HEADER] });
    const md5 = sized.verify(body, { [FLEX_SIGNATURE_HEADER]: signed[FLEX_SIGNATURE_HEADER] });

    // Assess
    expect(keys.parsed.bits).toBe(bits);
    expect(sha512).toMatchObject({
      ok: true,
      header: FLUENT_SIGNATURE_HEADER,
      algorithm: 'sha512',
      keyFingerprint: keys.parsed.fingerprint,
    });
    expect(md5).toMatchObject({
      ok: true,
      header: FLEX_SIGNATURE_HEADER,
      algorithm: 'md5',
      keyFingerprint: keys.parsed.fingerprint,
    });
  });

  describe('rejection reasons', () => {
    it.each([
      ['no headers at all', undefined, RejectionReason.MISSING_SIGNATURE],
      ['null headers', null, RejectionReason.MISSING_SIGNATURE],
      ['no signature header', { 'content-type': 'application/json' }, RejectionReason.MISSING_SIGNATURE],
      [
        'signature headers set to undefined',
        { [FLUENT_SIGNATURE_HEADER]: undefined, [FLEX_SIGNATURE_HEADER]: undefined },
        RejectionReason.MISSING_SIGNATURE,
      ],
      ['an empty fluent-signature', { [FLUENT_SIGNATURE_HEADER]: '' }, RejectionReason.MALFORMED_SIGNATURE],
      ['an empty list of values', { [FLUENT_SIGNATURE_HEADER]: [] }, RejectionReason.MALFORMED_SIGNATURE],
      [
        'a signature that is not base64',
        { [FLUENT_SIGNATURE_HEADER]: 'not*base64' },
        RejectionReason.MALFORMED_SIGNATURE,
      ],
      [
        'unpadded base64',
        { [FLUENT_SIGNATURE_HEADER]: good[FLUENT_SIGNATURE_HEADER].replace(/=+$/, '') },
        RejectionReason.MALFORMED_SIGNATURE,
      ],
      [
        'base64url',
        { [FLUENT_SIGNATURE_HEADER]: Buffer.from(good[FLUENT_SIGNATURE_HEADER], 'base64').toString('base64url') },
        RejectionReason.MALFORMED_SIGNATURE,
      ],
      [
        'base64 with embedded whitespace',
        {
          [FLUENT_SIGNATURE_HEADER]: `${good[FLUENT_SIGNATURE_HEADER].slice(0, 8)} ${good[FLUENT_SIGNATURE_HEADER].slice(8)}`,
        },
        RejectionReason.MALFORMED_SIGNATURE,
      ],
      [
        'a signature of the wrong length',
        { [FLUENT_SIGNATURE_HEADER]: 'AAAA' },
        RejectionReason.SIGNATURE_LENGTH_MISMATCH,
      ],
      [
        'a 2048-bit signature for a 1024-bit key',
        signFluentPayload(body, testKeyPair(2048, 'size').privateKey),
        RejectionReason.SIGNATURE_LENGTH_MISMATCH,
      ],
      ['a signature by another key', forged, RejectionReason.NO_MATCHING_KEY],
      [
        'a flex.signature by another key',
        { [FLEX_SIGNATURE_HEADER]: forged[FLEX_SIGNATURE_HEADER] },
        RejectionReason.NO_MATCHING_KEY,
      ],
      [
        'an MD5 signature in the SHA-512 header',
        { [FLUENT_SIGNATURE_HEADER]: good[FLEX_SIGNATURE_HEADER] },
        RejectionReason.NO_MATCHING_KEY,
      ],
      [
        'a SHA-512 signature in the MD5 header',
        { [FLEX_SIGNATURE_HEADER]: good[FLUENT_SIGNATURE_HEADER] },
        RejectionReason.NO_MATCHING_KEY,
      ],
    ])('rejects %s', (_case, headers, reason) => {
      // Act
      const result = verifier.verify(body, headers);

      // Assess
      expect(result).toEqual({ ok: false, reason, message: REJECTION_MESSAGES[reason] });
    });

    it('rejects flex.signature alone under require-sha512 even when it is valid', () => {
      // Act
      const result = strict.verify(body, { [FLEX_SIGNATURE_HEADER]: good[FLEX_SIGNATURE_HEADER] });

      // Assess
      expect(result).toEqual({
        ok: false,
        reason: RejectionReason.MD5_REFUSED_BY_POLICY,
        message: REJECTION_MESSAGES[RejectionReason.MD5_REFUSED_BY_POLICY],
      });
    });

    it('gives every reason a message that names no body content', () => {
      // Assess
      expect(Object.keys(REJECTION_MESSAGES).sort()).toEqual(Object.values(RejectionReason).sort());
      for (const message of Object.values(REJECTION_MESSAGES)) expect(message).toMatch(/^[A-Z].*\.$/);
    });
  });

  describe('signature policy', () => {
    it.each([[SignaturePolicy.PREFER_SHA512], [SignaturePolicy.REQUIRE_SHA512]])(
      'under %s, a valid fluent-signature decides even next to a broken flex.signature',
      (policy) => {
        // Prepare
        const subject = new FluentSignatureVerifier({ publicKeys: [fluent.parsed], policy });

        // Act
        const result = subject.verify(body, {
          [FLUENT_SIGNATURE_HEADER]: good[FLUENT_SIGNATURE_HEADER],
          [FLEX_SIGNATURE_HEADER]: 'garbage',
        });

        // Assess
        expect(result).toMatchObject({ ok: true, header: FLUENT_SIGNATURE_HEADER, algorithm: 'sha512' });
      },
    );

    it('under prefer-sha512 (the default), flex.signature decides when fluent-signature is absent', () => {
      // Act
      const result = verifier.verify(body, { [FLEX_SIGNATURE_HEADER]: good[FLEX_SIGNATURE_HEADER] });

      // Assess
      expect(verifier.policy).toBe(SignaturePolicy.PREFER_SHA512);
      expect(result).toMatchObject({ ok: true, header: FLEX_SIGNATURE_HEADER, algorithm: 'md5' });
    });

    it.each([
      [SignaturePolicy.PREFER_SHA512, 'forged', RejectionReason.NO_MATCHING_KEY, forged[FLUENT_SIGNATURE_HEADER]],
      [SignaturePolicy.REQUIRE_SHA512, 'forged', RejectionReason.NO_MATCHING_KEY, forged[FLUENT_SIGNATURE_HEADER]],
      [SignaturePolicy.PREFER_SHA512, 'not base64', RejectionReason.MALFORMED_SIGNATURE, '%%%'],
      [SignaturePolicy.PREFER_SHA512, 'too short', RejectionReason.SIGNATURE_LENGTH_MISMATCH, 'AAAA'],
      [SignaturePolicy.PREFER_SHA512, 'empty', RejectionReason.MALFORMED_SIGNATURE, ''],
    ])(
      'under %s, a failing fluent-signature (%s) is never rescued by a valid flex.signature',
      (policy, _case, reason, sha512) => {
        // Prepare
        const subject = policy === SignaturePolicy.PREFER_SHA512 ? verifier : strict;

        // Act
        const result = subject.verify(body, {
          [FLUENT_SIGNATURE_HEADER]: sha512,
          [FLEX_SIGNATURE_HEADER]: good[FLEX_SIGNATURE_HEADER],
        });

        // Assess
        expect(result).toMatchObject({ ok: false, reason });
      },
    );
  });

  describe('headers', () => {
    it.each([['Fluent-Signature'], ['FLUENT-SIGNATURE'], ['fLuEnT-sIgNaTuRe']])(
      'finds the SHA-512 header spelt %s',
      (name) => {
        // Act
        const result = verifier.verify(body, { [name]: good[FLUENT_SIGNATURE_HEADER] });

        // Assess
        expect(result).toMatchObject({ ok: true, header: FLUENT_SIGNATURE_HEADER });
      },
    );

    it.each([['Flex.Signature'], ['FLEX.SIGNATURE']])('finds the MD5 header spelt %s', (name) => {
      // Act
      const result = verifier.verify(body, { [name]: good[FLEX_SIGNATURE_HEADER] });

      // Assess
      expect(result).toMatchObject({ ok: true, header: FLEX_SIGNATURE_HEADER });
    });

    it.each([
      [
        'a multi-valued header with the good value last',
        () => ({ [FLUENT_SIGNATURE_HEADER]: [forged[FLUENT_SIGNATURE_HEADER], good[FLUENT_SIGNATURE_HEADER]] }),
      ],
      [
        'a comma-joined header with the good value first',
        () => ({ [FLUENT_SIGNATURE_HEADER]: `${good[FLUENT_SIGNATURE_HEADER]}, ${forged[FLUENT_SIGNATURE_HEADER]}` }),
      ],
      [
        'the same header twice in different casings',
        () => ({ 'Fluent-Signature': 'AAAA', [FLUENT_SIGNATURE_HEADER]: good[FLUENT_SIGNATURE_HEADER] }),
      ],
      [
        'a repeated identical value',
        () => ({ [FLUENT_SIGNATURE_HEADER]: [good[FLUENT_SIGNATURE_HEADER], good[FLUENT_SIGNATURE_HEADER]] }),
      ],
    ])('accepts %s', (_case, headers) => {
      // Act
      const result = verifier.verify(body, headers());

      // Assess
      expect(result).toMatchObject({ ok: true, header: FLUENT_SIGNATURE_HEADER });
    });

    it.each([
      ['malformed and wrong-length values', ['%%%', 'AAAA'], RejectionReason.SIGNATURE_LENGTH_MISMATCH],
      ['wrong-length and forged values', ['AAAA', forged[FLUENT_SIGNATURE_HEADER]], RejectionReason.NO_MATCHING_KEY],
      ['forged and malformed values', [forged[FLUENT_SIGNATURE_HEADER], '%%%'], RejectionReason.NO_MATCHING_KEY],
    ])('reports the most telling failure among %s', (_case, values, reason) => {
      // Act
      const result = verifier.verify(body, { [FLUENT_SIGNATURE_HEADER]: values });

      // Assess
      expect(result).toMatchObject({ ok: false, reason });
    });
  });

  describe('several keys (rotation, regions)', () => {
    const next = testKeyPair(2048, 'size');
    const rotating = new FluentSignatureVerifier({ publicKeys: [stranger.parsed, fluent.parsed, next.parsed] });

    it.each([
      ['the first key', stranger],
      ['a middle key', fluent],
      ['a key of another size', next],
    ])('accepts a signature by %s and reports that key', (_case, keys) => {
      // Act
      const result = rotating.verify(body, signFluentPayload(body, keys.privateKey));

      // Assess
      expect(result).toMatchObject({ ok: true, keyFingerprint: keys.parsed.fingerprint, keyLabel: keys.parsed.label });
    });

    it('rejects a signature by a key that is not configured', () => {
      // Act
      const result = rotating.verify(body, signFluentPayload(body, testKeyPair(1024, 'outsider').privateKey));

      // Assess
      expect(result).toMatchObject({ ok: false, reason: RejectionReason.NO_MATCHING_KEY });
    });
  });

  describe('bodies', () => {
    it.each([
      ['multi-byte UTF-8', '{"name":"Bestellung für Zoë 🚚 東京"}'],
      ['CRLF line ends', '{\r\n  "id": "1",\r\n  "name": "x"\r\n}\r\n'],
      ['escaped unicode kept as written', '{"name":"caf\\u00e9 \\ud83d\\ude9a"}'],
      ['an empty body', ''],
      ['a 500 KiB body', JSON.stringify({ id: '1', blob: 'é'.repeat(256 * 1024) })],
    ])('accepts %s signed over its exact bytes, given as string or bytes', (_case, text) => {
      // Prepare
      const bytes = Buffer.from(text, 'utf8');
      const signed = signFluentPayload(bytes, fluent.privateKey);

      // Act
      const fromString = verifier.verify(text, signed);
      const fromBuffer = verifier.verify(bytes, signed);
      const fromUint8Array = verifier.verify(new Uint8Array(bytes), signed);

      // Assess
      expect(fromString).toMatchObject({ ok: true });
      expect(fromBuffer).toEqual(fromString);
      expect(fromUint8Array).toEqual(fromString);
    });

    it.each([
      ['escapes decoded', '{"name":"caf\\u00e9"}', '{"name":"café"}'],
      ['CRLF turned into LF', '{\r\n"id":"1"\r\n}', '{\n"id":"1"\n}'],
      ['JSON re-serialised', '{ "id": "1", "name": "x" }', JSON.stringify({ id: '1', name: 'x' })],
      ['a trailing newline added', '{"id":"1"}', '{"id":"1"}\n'],
      ['a byte-order mark added', '{"id":"1"}', '\ufeff{"id":"1"}'],
    ])('rejects a body with %s after signing', (_case, signedText, receivedText) => {
      // Prepare
      const signed = signFluentPayload(signedText, fluent.privateKey);

      // Act
      const result = verifier.verify(receivedText, signed);

      // Assess
      expect(result).toMatchObject({ ok: false, reason: RejectionReason.NO_MATCHING_KEY });
    });

    it('verifies a 500 KiB body given as a string and as bytes alike when it does not match', () => {
      // Prepare
      const text = 'x'.repeat(500 * 1024);

      // Act
      const results = [verifier.verify(text, good), verifier.verify(Buffer.from(text), good)];

      // Assess
      expect(results[0]).toEqual(results[1]);
      expect(results[0]).toMatchObject({ ok: false, reason: RejectionReason.NO_MATCHING_KEY });
    });
  });

  describe('construction', () => {
    it('refuses to be built without a key', () => {
      // Act
      const build = () => new FluentSignatureVerifier({ publicKeys: [] });

      // Assess
      expect(build).toThrow(ConfigurationError);
      expect(build).toThrow('needs at least one public key');
    });

    it('is built in one call from the key text as Fluent gives it', () => {
      // Prepare
      const headers = signFluentPayload(body, fluent.privateKey);

      // Act
      const fromText = new FluentSignatureVerifier({ publicKeys: fluent.publicKeyBase64 });
      const fromList = new FluentSignatureVerifier({ publicKeys: [fluent.publicKeyPem] });

      // Assess
      expect(fromText.verify(body, headers)).toMatchObject({ ok: true });
      expect(fromList.verify(body, headers)).toMatchObject({ ok: true });
      expect(fromText.publicKeys.map((key) => key.fingerprint)).toEqual([fluent.parsed.fingerprint]);
    });

    it.each([
      ['no options', undefined],
      ['no keys', {}],
      ['an empty key text', { publicKeys: '' }],
      ['a number', { publicKeys: 5 }],
      ['an unusable key', { publicKeys: 'MIIB' }],
    ])('refuses %s with a ConfigurationError, never a TypeError', (_name, options) => {
      // Act
      const build = () => new FluentSignatureVerifier(options as never);

      // Assess
      expect(build).toThrow(ConfigurationError);
    });

    it('refuses an unknown policy naming the ones it knows', () => {
      // Act
      const build = () => new FluentSignatureVerifier({ publicKeys: [fluent.parsed], policy: 'md5-only' as never });

      // Assess
      expect(build).toThrow('Unknown signature policy "md5-only": use prefer-sha512 or require-sha512.');
    });

    it('keeps its own copy of the key list', () => {
      // Prepare
      const keys = [fluent.parsed];
      const subject = new FluentSignatureVerifier({ publicKeys: keys });

      // Act
      keys.pop();

      // Assess
      expect(subject.verify(body, good)).toMatchObject({ ok: true });
    });
  });
});
