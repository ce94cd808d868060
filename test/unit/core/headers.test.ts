import fc from 'fast-check';
import {
  FLEX_SIGNATURE_HEADER,
  FLUENT_SIGNATURE_HEADER,
  lookupHeader,
  readSignatureHeaders,
} from '../../../lambdas/core';

describe('Function: lookupHeader', () => {
  it.each([
    ['a single value', [{ 'fluent-signature': 'a' }], { present: true, values: ['a'] }],
    ['any casing', [{ 'Fluent-Signature': 'a' }], { present: true, values: ['a'] }],
    ['a list of values', [{ 'fluent-signature': ['a', 'b'] }], { present: true, values: ['a', 'b'] }],
    ['comma-joined values, trimmed', [{ 'fluent-signature': ' a , b,' }], { present: true, values: ['a', 'b'] }],
    ['repeats once', [{ 'fluent-signature': ['a', 'a,b'] }], { present: true, values: ['a', 'b'] }],
    [
      'values from every source in order',
      [{ 'Fluent-Signature': ['a'] }, { 'fluent-signature': 'b' }],
      { present: true, values: ['a', 'b'] },
    ],
    ['an empty value as present without values', [{ 'fluent-signature': '' }], { present: true, values: [] }],
    ['an empty list as present without values', [{ 'fluent-signature': [] }], { present: true, values: [] }],
    [
      'null and undefined values as absent',
      [{ 'fluent-signature': null }, { 'FLUENT-SIGNATURE': undefined }],
      { present: false, values: [] },
    ],
    ['missing sources as absent', [null, undefined], { present: false, values: [] }],
    [
      'other headers as absent',
      [{ 'fluent-signature-x': 'a', 'x-fluent-signature': 'b' }],
      { present: false, values: [] },
    ],
    [
      'non-string list items as skipped',
      [{ 'fluent-signature': [7, 'a'] as unknown as string[] }],
      { present: true, values: ['a'] },
    ],
  ])('reads %s', (_case, sources, expected) => {
    // Act
    const lookup = lookupHeader('fluent-signature', ...sources);

    // Assess
    expect(lookup).toEqual(expected);
  });

  it('reads only own headers, from objects with or without a prototype', () => {
    // Prepare
    const inherited = Object.create({ 'fluent-signature': 'inherited' }) as Record<string, string>;
    const bare = Object.assign(Object.create(null) as Record<string, string>, { 'FLUENT-SIGNATURE': 'own' });

    // Act
    const lookups = [lookupHeader('fluent-signature', inherited), lookupHeader('fluent-signature', bare)];

    // Assess
    expect(lookups).toEqual([
      { present: false, values: [] },
      { present: true, values: ['own'] },
    ]);
  });

  it('matches a header name exactly when the two lower-case alike, whatever characters either holds', () => {
    // Characters whose case mapping leaves ASCII or changes length: Kelvin sign, dotted capital I, long s, final sigma.
    const nameUnit = fc.constantFrom(
      'k',
      'K',
      '\u212a',
      'i',
      'I',
      '\u0130',
      's',
      'S',
      '\u017f',
      '\u03a3',
      '\u03c3',
      '\u03c2',
      '-',
      '.',
      'é',
      'É',
    );
    fc.assert(
      fc.property(
        fc.string({ unit: nameUnit, minLength: 1, maxLength: 6 }),
        fc.string({ unit: nameUnit, minLength: 1, maxLength: 6 }),
        (name, key) => {
          expect(lookupHeader(name, { [key]: 'v' }).present).toBe(key.toLowerCase() === name.toLowerCase());
        },
      ),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['the Kelvin sign, which lower-cases to k', 'K\u212a', 'kk', true],
    ['a dotted capital I, which lower-cases to two characters', '\u0130', 'i', false],
    ['a name that differs only past a non-ASCII character', 'F\u212aX', 'fkx', true],
    ['a dotted capital I looked up by itself (its lower case is longer than it)', '\u0130', '\u0130', true],
  ])('compares %s as toLowerCase does', (_case, key, name, present) => {
    // Act
    const lookup = lookupHeader(name, { [key]: 'v' });

    // Assess
    expect(lookup.present).toBe(present);
  });

  it('matches the name given in any casing', () => {
    // Act
    const lookup = lookupHeader('Flex.Signature', { 'flex.signature': 'm' });

    // Assess
    expect(lookup).toEqual({ present: true, values: ['m'] });
  });
});

describe('Function: readSignatureHeaders', () => {
  it('reads each signature header as lookupHeader does, leaving out the ones not sent', () => {
    // The two names in any casing, cut short, or with characters whose case mapping changes length (U+0130) or
    // leaves them apart from ASCII (long s, which upper-cases to S but lower-cases to itself).
    const name = fc.oneof(
      fc.constantFrom('fluent-signature', 'Fluent-Signature', 'FLEX.SIGNATURE', 'flex.signature', 'Host'),
      fc.constantFrom('fluent-signature', 'flex.signature').chain((base) =>
        fc
          .array(fc.constantFrom('same', 'upper', 'dotted-i', 'long-s', 'drop'), {
            minLength: base.length,
            maxLength: base.length,
          })
          .map((edits) =>
            [...base]
              .map((char, at) => {
                const edit = edits[at];
                if (edit === 'upper') return char.toUpperCase();
                if (edit === 'dotted-i' && char === 'i') return '\u0130';
                if (edit === 'long-s' && char === 's') return '\u017f';
                if (edit === 'drop' && at === 0) return '';
                return char;
              })
              .join(''),
          ),
      ),
    );
    const value = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('', 'a,b', ' a ', null, undefined));
    const source = fc.dictionary(name, fc.oneof(value, fc.array(value, { maxLength: 3 })), { maxKeys: 4 });
    fc.assert(
      fc.property(fc.array(fc.option(source), { maxLength: 3 }), (sources) => {
        const expected: Record<string, readonly string[]> = {};
        for (const header of [FLUENT_SIGNATURE_HEADER, FLEX_SIGNATURE_HEADER]) {
          const lookup = lookupHeader(header, ...(sources as Parameters<typeof lookupHeader>[1][]));
          if (lookup.present) expected[header] = lookup.values;
        }
        expect(readSignatureHeaders(...(sources as Parameters<typeof lookupHeader>[1][]))).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});
