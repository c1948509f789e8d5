/**
 * The one time seam: what time it is and timers, behind one interface, so a test drives
 * lock-outs, idle logout, retransmits, stall watchdogs and back-off with a ManualClock instead
 * of sleeping. Owners wrap a clock in a TimerGroup (./timer-group.ts) and clear it on close.
 */

/** A pending timer; hand it back to `clear`. `unref` lets the process exit while it waits. */
export interface TimerHandle {
  unref(): TimerHandle;
}

/** Time in ms and timers that run on it. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  setInterval(fn: () => void, ms: number): TimerHandle;
  /** Runs `fn` after pending I/O, without waiting for time to pass (a yield). */
  setImmediate(fn: () => void): TimerHandle;
  /** Cancels any handle this clock returned; unknown or spent handles are ignored. */
  clear(handle: TimerHandle | null | undefined): void;
}

/** The part of a clock that code which only reads the time depends on. */
export type TimeSource = Pick<Clock, 'now'>;

/** Node's timers on a given time source. */
function nodeClock(now: () => number): Clock {
  // clearImmediate on a Timeout corrupts Node's immediate count, so remember which is which.
  const immediates = new WeakSet<object>();
  return {
    now,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    setInterval: (fn, ms) => setInterval(fn, ms),
    setImmediate(fn) {
      const handle = setImmediate(fn);
      immediates.add(handle);
      return handle;
    },
    clear(handle) {
      if (!handle) return;
      if (immediates.has(handle)) clearImmediate(handle as NodeJS.Immediate);
      else clearTimeout(handle as NodeJS.Timeout);
    },
  };
}

/** Wall-clock time (Date.now): timestamps in logs and last-seen. */
export const systemClock: Clock = nodeClock(() => Date.now());

/** Monotonic high-resolution time (performance.now): RTTs, pacing, elapsed times. */
export const monotonicClock: Clock = nodeClock(() => performance.now());

interface ManualTimer extends TimerHandle {
  due: number;
  /** Interval period; null for a one-shot timer. */
  every: number | null;
  fn: () => void;
  seq: number;
}

/**
 * A clock a test moves by hand: `advance` runs every timer that falls due on the way, in due
 * order, with `now()` reading each timer's due time while it runs.
 */
export class ManualClock implements Clock {
  private readonly live = new Set<ManualTimer>();
  private seq = 0;

  constructor(private t = 0) {}

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, Math.max(0, ms), null);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, Math.max(1, ms), Math.max(1, ms));
  }

  setImmediate(fn: () => void): TimerHandle {
    return this.add(fn, 0, null);
  }

  clear(handle: TimerHandle | null | undefined): void {
    if (handle) this.live.delete(handle as ManualTimer);
  }

  /** Timers not yet fired or cleared (a test asserts none is left). */
  get pending(): number {
    return this.live.size;
  }

  /** Moves time forward by `ms`, running the timers due on the way; returns how many ran. */
  advance(ms: number): number {
    const until = this.t + ms;
    let fired = 0;
    for (let next = this.nextDue(until); next; next = this.nextDue(until)) {
      this.t = Math.max(this.t, next.due);
      if (next.every === null) this.live.delete(next);
      else next.due += next.every;
      fired++;
      next.fn();
    }
    this.t = Math.max(this.t, until);
    return fired;
  }

  /** Runs what is due now (immediates, zero delays) without moving time. */
  runDue(): number {
    return this.advance(0);
  }

  /** Jumps to `ms`, running the timers due on the way; back in time runs none. */
  set(ms: number): void {
    if (ms >= this.t) this.advance(ms - this.t);
    else this.t = ms;
  }

  private add(fn: () => void, ms: number, every: number | null): TimerHandle {
    const timer: ManualTimer = {
      due: this.t + ms,
      every,
      fn,
      seq: this.seq++,
      unref: () => timer,
    };
    this.live.add(timer);
    return timer;
  }

  private nextDue(until: number): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const timer of this.live) {
      if (timer.due > until) continue;
      if (!best || timer.due < best.due || (timer.due === best.due && timer.seq < best.seq)) {
        best = timer;
      }
    }
    return best;
  }
}
