/**
 * Whether a store's writes are being refused (StoreUnavailableError: disk full, service
 * unreachable) and whether that has been said yet, so the server's diagnostic log gets one
 * line when an outage starts and one when writes commit again, not one per refused write.
 * The store owns it (it sees every commit); whoever logs a refusal asks it first.
 */
export class StoreOutage {
  private current: Error | null = null;
  private onEnd: Array<() => void> = [];

  /** The refusal that started the outage in progress; null while writes commit. */
  get refusal(): Error | null {
    return this.current;
  }

  /**
   * Records a refused write. True for the first one of an outage (the caller logs it, and
   * `ended` is called once the store commits again); false while the outage goes on.
   */
  report(err: Error, ended: () => void): boolean {
    if (this.current !== null) return false;
    this.current = err;
    this.onEnd.push(ended);
    return true;
  }

  /** Called by the store after each durable commit: ends the outage in progress, if any. */
  committed(): void {
    if (this.current === null) return;
    this.current = null;
    for (const ended of this.onEnd.splice(0)) ended();
  }
}
