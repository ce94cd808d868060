/**
 * The `java.util.Map` methods API Gateway's templates call on `$input.params()` and its parts, so the renderer
 * treats them as VTL on AWS does (a plain object would let velocityjs guess, for example, a header named `get`).
 * Header names are kept as sent: `get` is case-sensitive, as a Java map is.
 */
export class JavaMap<V> {
  private readonly entries: Map<string, V>;

  public constructor(entries: Iterable<readonly [string, V]> = []) {
    this.entries = new Map(entries);
  }

  public get(key: unknown): V | null {
    return this.entries.get(String(key)) ?? null;
  }

  public containsKey(key: unknown): boolean {
    return this.entries.has(String(key));
  }

  public keySet(): string[] {
    return [...this.entries.keys()];
  }

  public size(): number {
    return this.entries.size;
  }

  public isEmpty(): boolean {
    return this.entries.size === 0;
  }

  /** What VTL prints for a map: `{a=1, b=2}`. */
  public toString(): string {
    return `{${[...this.entries].map(([key, value]) => `${key}=${String(value)}`).join(', ')}}`;
  }
}
