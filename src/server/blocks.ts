/**
 * Block lists: the one owner of who blocked whom. A change is written to the store first and
 * applied in memory once committed, so the reply a handler sends after it tells of durable state.
 */
import type { ChatStore } from '../store/store.js';

export class Blocks {
  private readonly byOwner = new Map<string, Set<string>>();
  private changes = 0;

  constructor(
    private readonly store: Pick<ChatStore, 'setBlocked'>,
    /** The pairs read from the store at start-up. */
    pairs: Iterable<[string, string]> = [],
  ) {
    for (const [owner, other] of pairs) this.apply(owner, other, true);
  }

  /** True when `owner` has blocked `other`. */
  has(owner: string, other: string): boolean {
    return this.byOwner.get(owner)?.has(other) ?? false;
  }

  /** Blocks or unblocks: durable first, then in memory. Rejects (and changes nothing) if the store does. */
  async set(owner: string, other: string, blocked: boolean): Promise<void> {
    await this.store.setBlocked(owner, other, blocked);
    this.apply(owner, other, blocked);
  }

  /** A change another node of the cluster stored: applied in memory only. */
  applyRemote(owner: string, other: string, blocked: boolean): void {
    this.apply(owner, other, blocked);
  }

  /** Goes up with every change, so a cached answer that depends on blocks can tell it is stale. */
  get version(): number {
    return this.changes;
  }

  /** Whom `owner` has blocked, in the order they were blocked. */
  list(owner: string): string[] {
    return [...(this.byOwner.get(owner) ?? [])];
  }

  private apply(owner: string, other: string, blocked: boolean): void {
    this.changes += 1;
    const set = this.byOwner.get(owner);
    if (!blocked) set?.delete(other);
    else if (set) set.add(other);
    else this.byOwner.set(owner, new Set([other]));
  }
}
