/** `items` in order, in groups of `size` (the last one shorter): what one batch call of an AWS API takes. */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`A chunk size must be a whole number of at least 1, not ${size}.`);
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
