/**
 * Last-seen times (logins and logouts) written to the store in batches: a change is kept in
 * memory at once (/lastseen reads memory) and written within `flushMs`, all changes of that
 * interval in one store transaction. A login therefore neither waits for nor pays a commit of
 * its own: with synchronous commits each one is an fsync on the event loop, which took half of
 * a 2000-login burst. A crash loses at most the last interval's times; messages are unaffected.
 */
import { type ChatStore, StoreUnavailableError } from '../store/store.js';
import type { TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { TimerGroup } from '../util/timer-group.js';
import { logStoreRefusal } from './store-refusal.js';

export class LastSeenWriter {
  private readonly dirty = new Set<string>();
  private timer: TimerHandle | null = null;

  constructor(
    /** The in-memory times (Presence.lastSeen), the truth the store catches up with. */
    private readonly times: Map<string, number>,
    private readonly store: Pick<ChatStore, 'setLastSeen' | 'outage'>,
    private readonly timers: TimerGroup,
    private readonly logger: Logger,
    /** 0: each change is written at once (in the store's next group commit). */
    private readonly flushMs = 1000,
  ) {}

  /** Records that `username` was seen at `ts`; written at the next flush. */
  record(username: string, ts: number): void {
    this.times.set(username, ts);
    this.dirty.add(username);
    if (this.flushMs <= 0) {
      void this.flush();
      return;
    }
    this.timer ??= this.timers.setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.flushMs);
  }

  /** Writes every pending change now (the timer's job, and the server's on close). Never rejects. */
  async flush(): Promise<void> {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    const names = [...this.dirty];
    this.dirty.clear();
    // Asked for in one turn: the store's group commit puts them in one transaction.
    const writes = names.map((name) => this.store.setLastSeen(name, this.times.get(name)!));
    const results = await Promise.allSettled(writes);
    const failed = results.filter((r) => r.status === 'rejected');
    const refusal = failed.find((r) => r.reason instanceof StoreUnavailableError);
    if (refusal !== undefined) {
      // Kept for the next flush (the next login or logout's); the outage is logged once.
      names.forEach((name, i) => {
        if (results[i]!.status === 'rejected') this.dirty.add(name);
      });
      logStoreRefusal(this.logger, this.store, refusal.reason, 'last-seen');
    } else if (failed.length > 0) {
      this.logger.error('last-seen write failed', {
        users: failed.length,
        error: String((failed[0] as PromiseRejectedResult).reason),
      });
    }
  }
}
