import fc from 'fast-check';
import {
  FLEX_SIGNATURE_HEADER,
  FLUENT_SIGNATURE_HEADER,
  FluentSignatureVerifier,
  RejectionReason,
  signFluentPayload,
} from '../../../lambdas/core';
import { testKeyPair } from '../../support/test-keys';

// Bounded so the whole file runs in a few seconds; each run signs with a 1024-bit key (about a millisecond).
const RUNS = { numRuns: 100 };

describe('Class: FluentSignatureVerifier (properties)', () => {
  const keys = testKeyPair(1024, 'property');
  const verifier = new FluentSignatureVerifier({ publicKeys: [keys.parsed, testKeyPair(2048, 'property').parsed] });
  const bytes = fc.uint8Array({ maxLength: 2048 });
  const nonEmptyBytes = fc.uint8Array({ minLength: 1, maxLength: 2048 });
  const reasons: readonly string[] = Object.values(RejectionReason);

  it('accepts any valid signature over any byte string, in either header', () => {
    fc.assert(
      fc.property(bytes, (raw) => {
        const body = Buffer.from(raw);
        const signed = signFluentPayload(body, keys.privateKey);
        expect(verifier.verify(body, { [FLUENT_SIGNATURE_HEADER]: signed[FLUENT_SIGNATURE_HEADER] })).toMatchObject({
          ok: true,
          algorithm: 'sha512',
        });
        expect(verifier.verify(body, { [FLEX_SIGNATURE_HEADER]: signed[FLEX_SIGNATURE_HEADER] })).toMatchObject({
          ok: true,
          algorithm: 'md5',
        });
      }),
      RUNS,
    );
  });

  it('accepts any text given as the string received, signed over its UTF-8 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 512 }), (text) => {
        const signed = signFluentPayload(Buffer.from(text, 'utf8'), keys.privateKey);
        expect(verifier.verify(text, signed)).toMatchObject({ ok: true });
      }),
      RUNS,
    );
  });

  it('rejects a body with any one byte changed', () => {
    fc.assert(
      fc.property(nonEmptyBytes, fc.nat(), fc.integer({ min: 1, max: 255 }), (raw, at, flip) => {
        const body = Buffer.from(raw);
        const signed = signFluentPayload(body, keys.privateKey);
        const changed = Buffer.from(body);
        changed[at % changed.length] ^= flip;
        expect(verifier.verify(changed, signed)).toMatchObject({ ok: false, reason: RejectionReason.NO_MATCHING_KEY });
      }),
      RUNS,
    );
  });

  it('rejects a body cut short or extended', () => {
    fc.assert(
      fc.property(nonEmptyBytes, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 }), (raw, cut, extra) => {
        const body = Buffer.from(raw);
        const signed = signFluentPayload(body, keys.privateKey);
        const truncated = body.subarray(0, cut % body.length);
        expect(verifier.verify(truncated, signed)).toMatchObject({
          ok: false,
          reason: RejectionReason.NO_MATCHING_KEY,
        });
        expect(verifier.verify(Buffer.concat([body, extra]), signed)).toMatchObject({
          ok: false,
          reason: RejectionReason.NO_MATCHING_KEY,
        });
      }),
      RUNS,
    );
  });

  it('rejects a signature with any one byte changed, whichever header carries it', () => {
    fc.assert(
      fc.property(
        bytes,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.constantFrom(FLUENT_SIGNATURE_HEADER, FLEX_SIGNATURE_HEADER),
        (raw, at, flip, header) => {
          const body = Buffer.from(raw);
          const signature = Buffer.from(signFluentPayload(body, keys.privateKey)[header], 'base64');
          signature[at % signature.length] ^= flip;
          expect(verifier.verify(body, { [header]: signature.toString('base64') })).toMatchObject({
            ok: false,
            reason: RejectionReason.NO_MATCHING_KEY,
          });
        },
      ),
      RUNS,
    );
  });

  it('rejects a signature cut short, or re-encoded as base64url', () => {
    fc.assert(
      fc.property(bytes, fc.integer({ min: 1, max: 171 }), (raw, keep) => {
        const body = Buffer.from(raw);
        const signature = signFluentPayload(body, keys.privateKey)[FLUENT_SIGNATURE_HEADER];
        const base64url = Buffer.from(signature, 'base64').toString('base64url');
        expect(verifier.verify(body, { [FLUENT_SIGNATURE_HEADER]: signature.slice(0, keep) })).toMatchObject({
          ok: false,
        });
        expect(verifier.verify(body, { [FLUENT_SIGNATURE_HEADER]: base64url })).toMatchObject({
          ok: false,
          reason: RejectionReason.MALFORMED_SIGNATURE,
        });
      }),
      RUNS,
    );
  });

  it('rejects a JSON body re-serialised by JSON.stringify(JSON.parse(body)) whenever that changes its bytes', () => {
    const formatted = fc
      .tuple(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(0, 1, 2, '\t'), fc.boolean())
      .map(([value, indent, escape]) => {
        const text = JSON.stringify(value, null, indent);
        // Fluent's Java serialiser may escape non-ASCII as \uXXXX; JSON.parse would turn those back into characters.
        return escape
          ? text.replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
          : text;
      });
    fc.assert(
      fc.property(formatted, (text) => {
        const reencoded = JSON.stringify(JSON.parse(text));
        fc.pre(reencoded !== text);
        const signed = signFluentPayload(text, keys.privateKey);
        expect(verifier.verify(text, signed)).toMatchObject({ ok: true });
        expect(verifier.verify(reencoded, signed)).toMatchObject({
          ok: false,
          reason: RejectionReason.NO_MATCHING_KEY,
        });
      }),
      RUNS,
    );
  });

  it('rejects non-ASCII text re-encoded in another character set', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 256 }),
        fc.constantFrom<BufferEncoding>('latin1', 'utf16le'),
        (text, encoding) => {
          const utf8 = Buffer.from(text, 'utf8');
          const other = Buffer.from(text, encoding);
          fc.pre(!other.equals(utf8));
          expect(verifier.verify(other, signFluentPayload(utf8, keys.privateKey))).toMatchObject({ ok: false });
        },
      ),
      RUNS,
    );
  });

  it('calls a signature malformed exactly when it is not strict padded standard base64', () => {
    const STRICT_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
    const char = fc.constantFrom(...'ABCXYZabcxyz0189+/=-_*.'.split(''));
    const candidate = fc.oneof(
      fc.string({ unit: char, maxLength: 12 }),
      fc
        .tuple(fc.base64String({ minLength: 4, maxLength: 12 }), fc.nat(11), char)
        .map(
          ([text, at, replacement]) =>
            text.slice(0, at % text.length) + replacement + text.slice((at % text.length) + 1),
        ),
    );
    fc.assert(
      fc.property(candidate, (value) => {
        fc.pre(value.length > 0);
        const strict = value.length % 4 === 0 && STRICT_BASE64.test(value);
        const result = verifier.verify(Buffer.alloc(0), { [FLUENT_SIGNATURE_HEADER]: value });
        expect(result).toMatchObject({
          ok: false,
          reason: strict ? RejectionReason.SIGNATURE_LENGTH_MISMATCH : RejectionReason.MALFORMED_SIGNATURE,
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on random headers and bodies, and never accepts them', () => {
    const headerName = fc.oneof(
      fc.mixedCase(fc.constantFrom(FLUENT_SIGNATURE_HEADER, FLEX_SIGNATURE_HEADER)),
      fc.string({ maxLength: 20 }),
    );
    const headerValue = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.base64String({ minLength: 168, maxLength: 176 }),
      fc.base64String({ minLength: 340, maxLength: 348 }),
      fc.array(fc.oneof(fc.string({ maxLength: 50 }), fc.base64String({ maxLength: 200 })), { maxLength: 4 }),
      fc.constantFrom(undefined, null, '', ',', ' , '),
    );
    const body = fc.oneof(fc.uint8Array({ maxLength: 1024 }), fc.string({ unit: 'binary', maxLength: 512 }));
    fc.assert(
      fc.property(fc.dictionary(headerName, headerValue, { maxKeys: 5 }), body, (headers, raw) => {
        const result = verifier.verify(raw, headers);
        expect(result.ok).toBe(false);
        expect(result.ok === false && reasons.includes(result.reason)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
