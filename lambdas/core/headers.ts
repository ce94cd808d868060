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

/** Finds a header case-insensitively, across any number of header records (for example `multiValueHeaders` and `headers`). */
export function lookupHeader(name: string, ...sources: ReadonlyArray<RequestHeaders | null | undefined>): HeaderLookup {
  const wanted = name.toLowerCase();
  let present = false;
  const values: string[] = [];
  for (const source of sources) {
    if (source === null || source === undefined) continue;
    for (const key of Object.keys(source)) {
      if (key.toLowerCase() !== wanted) continue;
      const raw = source[key];
      if (raw === null || raw === undefined) continue;
      present = true;
      for (const value of typeof raw === 'string' ? [raw] : raw) {
        if (typeof value !== 'string') continue;
        for (const part of value.split(',')) {
          const trimmed = part.trim();
          if (trimmed.length > 0 && !values.includes(trimmed)) values.push(trimmed);
        }
      }
    }
  }
  return { present, values };
}
