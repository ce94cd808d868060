/** One header value as the various HTTP layers hand it over. */
export type HeaderValue = string | readonly string[] | null | undefined;
/** Request headers in any casing, single- or multi-valued (API Gateway `headers` or `multiValueHeaders`, Node's `IncomingHttpHeaders`). */
export type RequestHeaders = Readonly<Record<string, HeaderValue>>;

/** What a request carried for one header name. */
export interface HeaderLookup {
  /** The header was sent at least once, even if empty. */
  readonly present: boolean;
  /** Every non-empty value, in order, without repeats. Comma-joined duplicates are split (base64 has no commas). */
  readonly values: readonly string[];
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Finds a header case-insensitively, across any number of header records (for example `multiValueHeaders` and `headers`). */
export function lookupHeader(name: string, ...sources: ReadonlyArray<RequestHeaders | null | undefined>): HeaderLookup {
  const wanted = name.toLowerCase();
  const wantedIsAscii = isAscii(wanted);
  let present = false;
  const values: string[] = [];
  for (const source of sources) {
    if (source === null || source === undefined) continue;
    // On the verification hot path: for-in allocates no key list, and the length test skips almost every
    // other header without comparing it. That is exact for an ASCII name: the only lower-case mapping that changes
    // a string's length (U+0130 to "i" and a combining dot) never yields pure ASCII.
    for (const key in source) {
      if (key.length === wanted.length ? !equalsLowerCased(key, wanted) : wantedIsAscii || key.toLowerCase() !== wanted)
        continue;
      if (!hasOwn.call(source, key)) continue;
      const raw = source[key];
      if (raw === null || raw === undefined) continue;
      present = true;
      if (typeof raw === 'string') {
        addValues(raw, values);
      } else {
        for (const value of raw) if (typeof value === 'string') addValues(value, values);
      }
    }
  }
  return { present, values };
}

/**
 * `key.toLowerCase() === lowerCased` for a key of the same length, without building the lower-cased copy: ASCII
 * letters are folded in place, and a key with any other character is left to toLowerCase (a few characters, such
 * as the Kelvin sign, lower-case to ASCII ones). Each character before the first non-ASCII one lower-cases on its
 * own, so a mismatch there is final.
 */
function equalsLowerCased(key: string, lowerCased: string): boolean {
  for (let i = 0; i < key.length; i += 1) {
    let code = key.charCodeAt(i);
    if (code > 0x7f) return key.toLowerCase() === lowerCased;
    if (code >= 0x41 && code <= 0x5a) code += 0x20;
    if (code !== lowerCased.charCodeAt(i)) return false;
  }
  return true;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function addValues(value: string, values: string[]): void {
  if (!value.includes(',')) {
    addValue(value.trim(), values);
    return;
  }
  for (const part of value.split(',')) addValue(part.trim(), values);
}

function addValue(trimmed: string, values: string[]): void {
  if (trimmed.length > 0 && !values.includes(trimmed)) values.push(trimmed);
}
