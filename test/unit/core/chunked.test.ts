import { chunked } from '../../../lambdas/core/chunked';

describe('Function: chunked', () => {
  it('keeps the order and makes only the last group shorter', () => {
    expect(chunked([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it.each([
    [[], 10, []],
    [[1, 2], 10, [[1, 2]]],
    [Array.from({ length: 10 }, (_, index) => index), 10, [Array.from({ length: 10 }, (_, index) => index)]],
  ])('groups %j by %i into %j', (items, size, expected) => {
    expect(chunked(items, size)).toEqual(expected);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a chunk size of %d instead of looping', (size) => {
    expect(() => chunked([1], size)).toThrow(RangeError);
  });
});
