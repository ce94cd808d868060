import { FLEX_SIGNATURE_HEADER, FLUENT_SIGNATURE_HEADER } from './constants';

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

/**
 * The two signature headers as one request carried them: each one's values (see {@link HeaderLookup.values}),
 * or undefined when it was not sent. Read once per request with {@link readSignatureHeaders}; the verifier and the
 * queue message both take this record, so the consumer later decides on exactly the values the receiver did.
 */
export type SignatureHeaders = {
  /** The values of `fluent-signature`, if it was sent. */
  readonly [FLUENT_SIGNATURE_HEADER]?: readonly string[];
  /** The values of `flex.signature`, if it was sent. */
  readonly [FLEX_SIGNATURE_HEADER]?: readonly string[];
};

/** Finds a header case-insensitively, across any number of header records (for example `multiValueHeaders` and `headers`). */
export function lookupHeader(name: string, ...sources: ReadonlyArray<RequestHeaders | null | undefined>): HeaderLookup {
  const wanted = name.toLowerCase();
  let values: string[] | undefined;
  for (const source of sources) {
    for (const key in source) {
      if (key.toLowerCase() === wanted && Object.hasOwn(source, key)) values = addValues(source[key], values);
    }
  }
  return { present: values !== undefined, values: values ?? [] };
}

/**
 * Both signature headers of a request, found case-insensitively across `sources`, in one pass over their keys
 * (each header as {@link lookupHeader} finds it).
 */
export function readSignatureHeaders(...sources: ReadonlyArray<RequestHeaders | null | undefined>): SignatureHeaders {
  let sha512: string[] | undefined;
  let md5: string[] | undefined;
  for (const source of sources) {
    for (const key in source) {
      // Every request pays for this scan, right after an RSA verification has evicted it from the caches: lower-casing
      // every header name cost the verifier 5 % of a verification. Only a key as long as one of the two names can
      // lower-case to it (both are ASCII, and no character lower-cases to ASCII by changing length: U+0130 becomes
      // "i" and a combining dot), so the others are skipped unread. The property test against lookupHeader proves it.
      if (key.length !== FLUENT_SIGNATURE_HEADER.length && key.length !== FLEX_SIGNATURE_HEADER.length) continue;
      if (!Object.hasOwn(source, key)) continue;
      const name = key.toLowerCase();
      if (name === FLUENT_SIGNATURE_HEADER) sha512 = addValues(source[key], sha512);
      else if (name === FLEX_SIGNATURE_HEADER) md5 = addValues(source[key], md5);
    }
  }
  const signatures: { -readonly [name in keyof SignatureHeaders]: string[] } = {};
  if (sha512 !== undefined) signatures[FLUENT_SIGNATURE_HEADER] = sha512;
  if (md5 !== undefined) signatures[FLEX_SIGNATURE_HEADER] = md5;
  return signatures;
}

/**
 * Adds a header's values to those found so far: `values` once the header is known to be sent (null and undefined
 * count as not sent), each comma-separated part trimmed, without empty parts or repeats.
 */
function addValues(raw: HeaderValue, values: string[] | undefined): string[] | undefined {
  if (raw === null || raw === undefined) return values;
  const found = values ?? [];
  for (const value of typeof raw === 'string' ? [raw] : raw) {
    if (typeof value !== 'string') continue;
    // A comma joins repeated headers; a single value, the usual case, is kept without splitting.
    for (const part of value.includes(',') ? value.split(',') : [value]) {
      const trimmed = part.trim();
      if (trimmed.length > 0 && !found.includes(trimmed)) found.push(trimmed);
    }
  }
  return found;
}
