import { BoundedRing } from '../../../tools/local/inspector/bounded-ring';

describe('BoundedRing', () => {
  it('keeps the last items added, oldest first, before and after it wraps', () => {
    const ring = new BoundedRing<number>(3);
    const seen: number[][] = [];
    for (let item = 1; item <= 7; item += 1) {
      ring.add(item);
      seen.push(ring.all());
    }

    expect(seen).toEqual([[1], [1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6], [5, 6, 7]]);
  });

  it('gives a copy: changing it changes nothing kept', () => {
    const ring = new BoundedRing<string>(2);
    ring.add('a');
    ring.all().push('b');

    expect(ring.all()).toEqual(['a']);
  });

  it('keeps the last one with a size of 1 and nothing with a size of 0', () => {
    const one = new BoundedRing<string>(1);
    const none = new BoundedRing<string>(0);
    for (const item of ['a', 'b']) {
      one.add(item);
      none.add(item);
    }

    expect(one.all()).toEqual(['b']);
    expect(none.all()).toEqual([]);
  });
});
