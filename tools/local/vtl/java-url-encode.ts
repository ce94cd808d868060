/** Characters `java.net.URLEncoder` leaves as they are. */
const UNRESERVED = /^[A-Za-z0-9.\-*_]$/;

/**
 * `$util.urlEncode`: API Gateway documents it as converting a string into `application/x-www-form-urlencoded`
 * format, which is Java's `URLEncoder.encode(value, UTF-8)`. Unlike `encodeURIComponent` it keeps `*`, encodes
 * `!'()~`, writes a space as `+`, and encodes an unpaired surrogate as `?` (`%3F`), as Java's UTF-8 encoder
 * replaces it.
 */
export function javaUrlEncode(value: string): string {
  let encoded = '';
  for (const char of value) {
    if (char === ' ') encoded += '+';
    else if (UNRESERVED.test(char)) encoded += char;
    else encoded += percentEncode(isLoneSurrogate(char) ? '?' : char);
  }
  return encoded;
}

function isLoneSurrogate(char: string): boolean {
  const code = char.charCodeAt(0);
  return char.length === 1 && code >= 0xd800 && code <= 0xdfff;
}

function percentEncode(char: string): string {
  let out = '';
  for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}
