// Numbers in JSON have no fixed precision, but JSON.parse turns them into doubles: 9007199254740993 becomes
// 9007199254740992, and 77, 77.0 and 7.7e1 all become 77. Where a number is an identifier, its text as sent is what
// identifies it, so it is read back from the body. Written out (about 60 lines) instead of JSON.parse's source-text
// reviver, which Node.js 20 lacks and which would visit every value of every body.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The source text of the value of the top-level member `name` in `text`, which must be a JSON object that
 * `JSON.parse` accepted. As JSON.parse does, a repeated name counts by its last occurrence, and a name written with
 * escapes (`"\u0069d"`) is the name it decodes to. Undefined when there is no such member.
 */
export function topLevelMemberSource(text: string, name: string): string | undefined {
  let found: string | undefined;
  let index = skipWhitespace(text, 0) + 1; // past '{'
  for (;;) {
    index = skipWhitespace(text, index);
    if (text.charCodeAt(index) !== QUOTE) return found; // '}'
    const keyEnd = stringEnd(text, index);
    const rawKey = text.slice(index, keyEnd);
    const key = rawKey.includes('\\') ? (JSON.parse(rawKey) as string) : rawKey.slice(1, -1);
    const valueStart = skipWhitespace(text, skipWhitespace(text, keyEnd) + 1); // past ':'
    const valueEnd = valueEndAt(text, valueStart);
    if (key === name) found = text.slice(valueStart, valueEnd);
    index = skipWhitespace(text, valueEnd);
    if (text[index] !== ',') return found;
    index += 1;
  }
}

function skipWhitespace(text: string, index: number): number {
  let at = index;
  for (;;) {
    const code = text.charCodeAt(at);
    if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return at;
    at += 1;
  }
}

/** The index just past the string literal that starts at `start`. */
function stringEnd(text: string, start: number): number {
  let at = start + 1;
  for (;;) {
    const code = text.charCodeAt(at);
    if (code === BACKSLASH) at += 2;
    else if (code === QUOTE) return at + 1;
    else at += 1;
  }
}

/** The index just past the value (string, number, literal, object or array) that starts at `start`. */
function valueEndAt(text: string, start: number): number {
  const first = text[start];
  if (first === '"') return stringEnd(text, start);
  if (first !== '{' && first !== '[') {
    let at = start;
    while (at < text.length && !',}] \t\n\r'.includes(text[at] as string)) at += 1;
    return at;
  }
  let depth = 0;
  let at = start;
  for (;;) {
    const char = text[at];
    if (char === '"') {
      at = stringEnd(text, at);
      continue;
    }
    if (char === '{' || char === '[') depth += 1;
    else if (char === '}' || char === ']') {
      depth -= 1;
      if (depth === 0) return at + 1;
    }
    at += 1;
  }
}
