/**
 * Who has exchanged direct messages with whom since the server started: the users a presence
 * change is told to besides group peers (notify.ts). Recorded on every direct message, so it
 * must cost next to nothing: each user who has talked gets a small number, and each such user
 * a bitset of their partners' numbers. Recording a pair is two Map lookups and two bit sets in
 * arrays that stay in the CPU cache; a Set of names per user cost 1–4 us per message in the
 * chat bench, nearly all of it cache misses over a thousand scattered hash tables
 * (docs/PERFORMANCE.md, section 10).
 *
 * Memory is bounded by the accounts, not by the messages: a user's bitset is as long as the
 * highest partner number (one bit per user), so N users who all talk to everyone take N²/8
 * bytes — 12.5 MB for 10,000. Nothing is forgotten until the server restarts.
 */

/** Bits per bitset word. */
const WORD = 32;

export class PartnerGraph {
  private readonly numbers = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly rows: Uint32Array[] = [];

  /** Records that `a` and `b` exchanged a direct message; both directions. */
  link(a: string, b: string): void {
    const x = this.number(a);
    const y = this.number(b);
    this.set(x, y);
    this.set(y, x);
  }

  /** The users `name` has talked with, in the order they first talked with anyone. */
  of(name: string): string[] {
    const x = this.numbers.get(name);
    if (x === undefined) return [];
    const out: string[] = [];
    const row = this.rows[x]!;
    for (let word = 0; word < row.length; word++) {
      let bits = row[word]!;
      while (bits !== 0) {
        const low = bits & -bits;
        out.push(this.names[word * WORD + 31 - Math.clz32(low)]!);
        bits ^= low;
      }
    }
    return out;
  }

  private number(name: string): number {
    let n = this.numbers.get(name);
    if (n === undefined) {
      n = this.names.length;
      this.numbers.set(name, n);
      this.names.push(name);
      this.rows.push(new Uint32Array(1));
    }
    return n;
  }

  private set(x: number, y: number): void {
    let row = this.rows[x]!;
    const word = y >>> 5;
    if (word >= row.length) {
      const grown = new Uint32Array(Math.max(2 * row.length, word + 1));
      grown.set(row);
      this.rows[x] = grown;
      row = grown;
    }
    row[word]! |= 1 << (y & (WORD - 1));
  }
}
