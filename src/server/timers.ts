/**
 * Timer seam: the server never calls setTimeout directly, so tests fire time-outs by hand
 * and can assert none is left after close.
 */

/** Opaque: whatever the Timers implementation returns. */
export type TimerHandle = unknown;

/** Where timers come from: real ones in production, hand-fired ones in tests. */
export interface Timers {
  set(fn: () => void, ms: number): TimerHandle;
  clear(handle: TimerHandle): void;
}

export const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Owns the timers it starts and clears all of them on close. */
export class TimerGroup {
  private readonly live = new Set<TimerHandle>();

  constructor(private readonly timers: Timers) {}

  set(fn: () => void, ms: number): TimerHandle {
    const handle = this.timers.set(() => {
      this.live.delete(handle);
      fn();
    }, ms);
    this.live.add(handle);
    return handle;
  }

  clear(handle: TimerHandle): void {
    if (this.live.delete(handle)) this.timers.clear(handle);
  }

  clearAll(): void {
    for (const handle of this.live) this.timers.clear(handle);
    this.live.clear();
  }

  get size(): number {
    return this.live.size;
  }
}
