/** Edits (insert, delete, replace one character) that turn `a` into `b`: Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const replace = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, replace));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The known name `name` is most likely a typo of: the same ignoring case, or at most 2 edits away (1 for names of
 * up to 5 characters, so short unrelated names do not match). Undefined when none is that close.
 */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  const budget = name.length <= 5 ? 1 : 2;
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = candidate.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name, candidate);
    if (distance <= budget && (best === undefined || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** The lower-case words of a camelCase name: `alarmEmailAddress` → alarm, email, address. */
function camelCaseWords(name: string): string[] {
  return (name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? []).map((word) => word.toLowerCase());
}

/**
 * The known name `name` most likely stands for: a near miss ({@link closestName}), else one made of the same words
 * (`emailAlarm` for `alarmEmail`), or of the same words and more or fewer (`alarmEmailAddress` and `alarmEmail`,
 * `consumerTimeout` and `consumerTimeoutSeconds`), counting only names of two words or more so that one common word
 * (`region`, `account`) matches nothing. The fewest differing words win. Undefined when none resembles it.
 */
export function resemblingName(name: string, known: Iterable<string>): string | undefined {
  const candidates = [...known];
  const near = closestName(name, candidates);
  if (near !== undefined) return near;
  const words = new Set(camelCaseWords(name));
  if (words.size < 2) return undefined;
  let best: { name: string; difference: number } | undefined;
  for (const candidate of candidates) {
    const candidateWords = new Set(camelCaseWords(candidate));
    if (candidateWords.size < 2) continue;
    const shared = [...words].filter((word) => candidateWords.has(word)).length;
    if (shared !== Math.min(words.size, candidateWords.size)) continue;
    const difference = Math.abs(words.size - candidateWords.size);
    if (best === undefined || difference < best.difference) best = { name: candidate, difference };
  }
  return best?.name;
}
