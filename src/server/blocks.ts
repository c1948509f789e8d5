/** Block lists in memory: the one owner of who blocked whom (the store keeps them durable). */

export class Blocks {
  private readonly byOwner = new Map<string, Set<string>>();
  private changes = 0;

  constructor(pairs: Iterable<[string, string]> = []) {
    for (const [owner, other] of pairs) this.set(owner, other, true);
  }

  /** True when `owner` has blocked `other`. */
  has(owner: string, other: string): boolean {
    return this.byOwner.get(owner)?.has(other) ?? false;
  }

  set(owner: string, other: string, blocked: boolean): void {
    this.changes += 1;
    const set = this.byOwner.get(owner);
    if (!blocked) set?.delete(other);
    else if (set) set.add(other);
    else this.byOwner.set(owner, new Set([other]));
  }

  /** Goes up with every change, so a cached answer that depends on blocks can tell it is stale. */
  get version(): number {
    return this.changes;
  }

  /** Whom `owner` has blocked, in the order they were blocked. */
  list(owner: string): string[] {
    return [...(this.byOwner.get(owner) ?? [])];
  }
}
