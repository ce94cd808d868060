import fc from 'fast-check';
import { topLevelMemberSource } from '../../../lambdas/core/json-member-source';

describe('Function: topLevelMemberSource', () => {
  it('finds the text JSON.parse read for a member, in any JSON object', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }),
        fc.constantFrom('', ' ', '\n\t '),
        (object, space) => {
          // Prepare
          const text = JSON.stringify(object, null, space);
          const parsed = JSON.parse(text) as Record<string, unknown>;

          // Act and Assess
          for (const [name, value] of Object.entries(parsed)) {
            const source = topLevelMemberSource(text, name);
            expect(source).toBeDefined();
            expect(JSON.parse(source as string)).toEqual(value);
          }
          expect(topLevelMemberSource(text, '\u0000absent')).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    ['{"id":77.0}', '77.0'],
    ['{ "id" :\t7.7e1\n}', '7.7e1'],
    ['{"a":"}\\"id\\":1","id":-0}', '-0'],
    ['{"id":1,"id":2}', '2'],
    ['{"\\u0069d":3}', '3'],
    ['{"x":[{"id":1}],"y":{"id":{"id":2}}}', undefined],
    ['{}', undefined],
  ])('reads %s', (text, expected) => {
    // Act
    const source = topLevelMemberSource(text, 'id');

    // Assess
    expect(source).toBe(expected);
  });
});
