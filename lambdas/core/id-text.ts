import { topLevelMemberSource } from './json-member-source';

/**
 * The text of a top-level id field (`id`, `accountId`, `retailerId`, ...) exactly as Fluent sent it: a string as it
 * is, a number as its JSON source text, so that 77, 77.0 and 7.7e1 stay three ids and 9007199254740993 keeps its
 * last digit. `sourceText` is the JSON text the object was parsed from; without it only a number that JSON.parse
 * keeps exactly and that has one spelling (a safe integer) has a text. Undefined for any other value.
 */
export function idText(
  object: Readonly<Record<string, unknown>>,
  field: string,
  sourceText?: string,
): string | undefined {
  const value = object[field];
  if (typeof value === 'string') return value;
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  if (sourceText !== undefined) return topLevelMemberSource(sourceText, field);
  return Number.isSafeInteger(value) ? String(value) : undefined;
}
