/**
 * Timers with one owner: everything started through the group is cleared by `clearAll()` on
 * close, and a test asserts nothing is left with `size`. A group is itself a Clock, so an owner
 * can hand it to a part that wants one and still own what that part starts.
 */
import type { Clock, TimerHandle } from './clock.js';

export class TimerGroup implements Clock {
  private readonly live = new Set<TimerHandle>();

  constructor(private readonly clock: Clock) {}

  now(): number {
    return this.clock.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const handle = this.clock.setTimeout(() => {
      this.live.delete(handle);
      fn();
    }, ms);
    this.live.add(handle);
    return handle;
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const handle = this.clock.setInterval(fn, ms);
    this.live.add(handle);
    return handle;
  }

  setImmediate(fn: () => void): TimerHandle {
    const handle = this.clock.setImmediate(() => {
      this.live.delete(handle);
      fn();
    });
    this.live.add(handle);
    return handle;
  }

  /** Cancels one timer of this group; others' handles and spent ones are ignored. */
  clear(handle: TimerHandle | null | undefined): void {
    if (handle && this.live.delete(handle)) this.clock.clear(handle);
  }

  /** Cancels every timer the group still holds (the owner's close). */
  clearAll(): void {
    for (const handle of this.live) this.clock.clear(handle);
    this.live.clear();
  }

  /** Timers started and neither fired nor cleared. */
  get size(): number {
    return this.live.size;
  }
}
