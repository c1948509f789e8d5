/**
 * A group of timers with one owner: everything it started is cleared by `clear()`, and a
 * test can assert that nothing is left with `size`.
 */
export class TimerGroup {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly immediates = new Set<NodeJS.Immediate>();

  get size(): number {
    return this.timers.size + this.immediates.size;
  }

  timeout(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  immediate(fn: () => void): NodeJS.Immediate {
    const i = setImmediate(() => {
      this.immediates.delete(i);
      fn();
    });
    this.immediates.add(i);
    return i;
  }

  cancel(t: NodeJS.Timeout | NodeJS.Immediate | null | undefined): void {
    if (!t) return;
    if (this.timers.delete(t as NodeJS.Timeout)) clearTimeout(t as NodeJS.Timeout);
    if (this.immediates.delete(t as NodeJS.Immediate)) clearImmediate(t as NodeJS.Immediate);
  }

  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    for (const i of this.immediates) clearImmediate(i);
    this.timers.clear();
    this.immediates.clear();
  }
}
