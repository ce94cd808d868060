/** Any text from an answer that goes into an error (and so into a log line) is at most this long. */
export const MAX_MESSAGE_CHARS = 300;
const REDACTED = '[redacted]';
/** Shorter values are not worth redacting (and would cut common words out of messages). */
const MIN_REDACTED_CHARS = 4;

/**
 * The credentials and tokens the client holds, and every way a server could echo one back: as sent in a form
 * (`+` for a space) or a URL (`%20`), with upper- or lower-case percent escapes, JSON-escaped, or base64.
 * Matching ignores case, so a mixed-case escape is caught too (and an over-eager match only hides a few more
 * characters of a message).
 */
export class Redactions {
  private readonly patterns = new Map<string, RegExp>();
  /** The longest text a pattern can match, so that bounding never cuts a credential in half before redacting it. */
  private longest = 0;

  public add(...values: ReadonlyArray<string | undefined>): void {
    for (const value of values) {
      if (value === undefined || value.length < MIN_REDACTED_CHARS) continue;
      for (const form of encodedForms(value)) {
        if (this.patterns.has(form)) continue;
        this.patterns.set(form, new RegExp(escapeRegExp(form), 'gi'));
        this.longest = Math.max(this.longest, form.length);
      }
    }
  }

  /** `text` without any held value (in any of its encodings), cut to {@link MAX_MESSAGE_CHARS}. */
  public scrub(text: string | undefined): string | undefined {
    if (text === undefined) return undefined;
    // Only the start can be shown: redact a window that holds every value that starts inside it, then cut.
    const reach = MAX_MESSAGE_CHARS + this.longest;
    let window = text.slice(0, reach);
    // Longest first, so that a form holding another (the raw value inside its JSON escape) goes whole.
    const byLength = [...this.patterns.entries()].sort(([a], [b]) => b.length - a.length);
    for (const [, pattern] of byLength) window = window.replace(pattern, REDACTED);
    return text.length > reach || window.length > MAX_MESSAGE_CHARS ? `${window.slice(0, MAX_MESSAGE_CHARS)}…` : window;
  }
}

function encodedForms(value: string): Set<string> {
  const url = encodeURIComponent(value);
  // URLSearchParams is how the client itself writes the token request: `+` for a space, `*` left as is.
  const form = new URLSearchParams({ v: value }).toString().slice('v='.length);
  const bytes = Buffer.from(value, 'utf8');
  return new Set([
    value,
    url,
    form,
    JSON.stringify(value).slice(1, -1),
    bytes.toString('base64').replace(/=+$/, ''),
    bytes.toString('base64url'),
  ]);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
