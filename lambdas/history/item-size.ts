/*
 * The size DynamoDB bills an item at, by its documented rules: each attribute's name plus its value (strings and
 * binaries their bytes, numbers about one byte per two significant digits plus one, lists and maps 3 bytes plus
 * 1 per element). A write costs one write unit per started 1,024 bytes of this; storage adds 100 bytes per item
 * and per index entry. The history item uses it to spend brotli's slow best setting only where it saves a write
 * unit; the item-layout test checks the cost page's figures with it (docs/cost-and-limits.md#the-history).
 */

/** The bytes one write request unit covers. */
export const WRITE_UNIT_BYTES = 1024;

/** Write request units a PutItem of this item costs. */
export function writeUnits(item: Readonly<Record<string, unknown>>): number {
  return Math.max(1, Math.ceil(dynamoDbItemBytes(item) / WRITE_UNIT_BYTES));
}

export function dynamoDbItemBytes(item: Readonly<Record<string, unknown>>): number {
  return Object.entries(item).reduce((total, [name, value]) => total + Buffer.byteLength(name) + valueBytes(value), 0);
}

function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (value instanceof Uint8Array) return value.length;
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace(/[.-]|^0+/g, '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null) return 1;
  if (Array.isArray(value)) return 3 + value.reduce<number>((total, element) => total + 1 + valueBytes(element), 0);
  if (typeof value === 'object' && value !== null) {
    return (
      3 +
      Object.entries(value).reduce((total, [name, field]) => total + 1 + Buffer.byteLength(name) + valueBytes(field), 0)
    );
  }
  throw new TypeError(`No DynamoDB size for ${typeof value}`);
}
