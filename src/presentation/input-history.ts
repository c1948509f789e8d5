/**
 * Input history as shells and IRC clients keep it: Up walks back, Down walks forward, and the
 * line being typed is kept as a draft so walking back and forth loses nothing.
 */
export class InputHistory {
  private readonly entries: string[] = [];
  /** Position while walking; entries.length means "at the draft". */
  private pos = 0;
  private draft = '';

  constructor(private readonly cap = 500) {}

  /** Records a submitted line (not blank, not a repeat of the last one) and ends the walk. */
  push(line: string): void {
    if (line.trim() !== '' && this.entries[this.entries.length - 1] !== line) {
      this.entries.push(line);
      if (this.entries.length > this.cap) this.entries.shift();
    }
    this.pos = this.entries.length;
    this.draft = '';
  }

  /** The older entry, or null at the oldest. `current` is the text in the input now. */
  up(current: string): string | null {
    if (this.pos === 0) return null;
    if (this.pos === this.entries.length) this.draft = current;
    this.pos--;
    return this.entries[this.pos]!;
  }

  /** The newer entry, the draft past the newest, or null when already at the draft. */
  down(): string | null {
    if (this.pos >= this.entries.length) return null;
    this.pos++;
    return this.pos === this.entries.length ? this.draft : this.entries[this.pos]!;
  }

  get size(): number {
    return this.entries.length;
  }
}
