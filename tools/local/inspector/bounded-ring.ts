/**
 * The last `size` items added, oldest first: what the inspector keeps of a run (log lines, door verdicts, Fluent
 * calls). Adding overwrites the oldest in place, so a full ring costs the same per item as an empty one (cutting the
 * front of an array moved every item kept, on each of the runner's log lines).
 */
export class BoundedRing<T> {
  private readonly items: T[] = [];
  /** Where the next item goes once the ring is full: the oldest item's place. */
  private next = 0;

  public constructor(private readonly size: number) {}

  public add(item: T): void {
    if (this.size <= 0) return;
    if (this.items.length < this.size) {
      this.items.push(item);
      return;
    }
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.size;
  }

  /** Oldest first; a copy. */
  public all(): T[] {
    return [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
  }
}
