/**
 * Longest text a log line carries for one value that came with a request (ids, route, names). CloudWatch Logs
 * takes events of up to 256 KiB and drops what is past that, so an unbounded 600 KB `id` would cost every field
 * after it; real Fluent ids are UUIDs or short numbers.
 */
export const MAX_LOGGED_VALUE_CHARS = 300;

/**
 * A request-supplied value as a log line may carry it: text of up to {@link MAX_LOGGED_VALUE_CHARS} characters
 * unchanged, longer text cut there with a marker that says how long it was. Undefined stays undefined.
 */
export function boundedLogValue(value: string): string;
export function boundedLogValue(value: string | undefined): string | undefined;
export function boundedLogValue(value: string | undefined): string | undefined {
  if (value === undefined || value.length <= MAX_LOGGED_VALUE_CHARS) return value;
  // Never cut between the two halves of a surrogate pair: a lone surrogate is not valid UTF-8 in the log.
  const end = isHighSurrogate(value.charCodeAt(MAX_LOGGED_VALUE_CHARS - 1))
    ? MAX_LOGGED_VALUE_CHARS - 1
    : MAX_LOGGED_VALUE_CHARS;
  return `${value.slice(0, end)}…[cut: ${value.length} characters]`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
