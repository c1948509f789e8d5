/**
 * Reads a file's chunks for the sender at offsets, never holding the whole file: sequential
 * chunks come from a small cache of read-ahead blocks (one read per ~1 MiB instead of one per
 * datagram); a resend of a chunk whose block was evicted reads just that chunk.
 */
import type { FileHandle } from 'node:fs/promises';
import fs from 'node:fs/promises';

const BLOCK_BYTES = 1024 * 1024;
/** Blocks read ahead of the one being sent, so the pump never waits for the disk. */
const READ_AHEAD = 2;
const MAX_BLOCKS = 12;

export class ChunkReader {
  private readonly blockChunks: number;
  private readonly blocks = new Map<number, Promise<Buffer>>();
  private readonly ready = new Map<number, Buffer>();

  constructor(
    private readonly fh: FileHandle,
    private readonly size: number,
    private readonly chunkSize: number,
  ) {
    this.blockChunks = Math.max(1, Math.floor(BLOCK_BYTES / chunkSize));
  }

  /** Opens the file and checks it still has the offered size. */
  static async open(path: string, size: number, chunkSize: number): Promise<ChunkReader> {
    const fh = await fs.open(path, 'r');
    try {
      const stat = await fh.stat();
      if (stat.size !== size) throw new Error(`size is ${stat.size} bytes, the offer said ${size}`);
    } catch (error) {
      await fh.close();
      throw error;
    }
    return new ChunkReader(fh, size, chunkSize);
  }

  async close(): Promise<void> {
    this.blocks.clear();
    this.ready.clear();
    await this.fh.close().catch(() => {});
  }

  /** The chunk's bytes now, when its block is already in memory. */
  peek(chunk: number): Buffer | undefined {
    const block = Math.floor(chunk / this.blockChunks);
    const buf = this.ready.get(block);
    if (!buf) return undefined;
    this.prefetch(block + 1);
    return this.slice(buf, block, chunk);
  }

  /** The chunk's bytes; `sequential` reads (and caches) its whole block plus the next. */
  async read(chunk: number, sequential: boolean): Promise<Buffer> {
    const block = Math.floor(chunk / this.blockChunks);
    if (!sequential && !this.blocks.has(block)) {
      const start = chunk * this.chunkSize;
      return this.readAt(start, Math.min(this.chunkSize, this.size - start));
    }
    const buf = await this.load(block);
    this.prefetch(block + 1);
    return this.slice(buf, block, chunk);
  }

  private slice(buf: Buffer, block: number, chunk: number): Buffer {
    const offset = (chunk - block * this.blockChunks) * this.chunkSize;
    return buf.subarray(offset, Math.min(offset + this.chunkSize, buf.length));
  }

  private prefetch(from: number): void {
    for (let block = from; block < from + READ_AHEAD; block++) {
      if (block * this.blockChunks * this.chunkSize >= this.size) return;
      if (!this.blocks.has(block)) void this.load(block).catch(() => {});
    }
  }

  private load(block: number): Promise<Buffer> {
    let p = this.blocks.get(block);
    if (p) return p;
    const start = block * this.blockChunks * this.chunkSize;
    const length = Math.min(this.blockChunks * this.chunkSize, this.size - start);
    p = this.readAt(start, length).then((buf) => {
      if (this.blocks.has(block)) this.ready.set(block, buf);
      return buf;
    });
    this.blocks.set(block, p);
    // Evict the oldest blocks: memory stays at MAX_BLOCKS × 1 MiB whatever the file size.
    while (this.blocks.size > MAX_BLOCKS) {
      const oldest = this.blocks.keys().next().value as number;
      this.blocks.delete(oldest);
      this.ready.delete(oldest);
    }
    return p;
  }

  private async readAt(position: number, length: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.fh.read(buf, done, length - done, position + done);
      if (bytesRead === 0) throw new Error(`file shrank: ${position + done} of ${this.size} bytes`);
      done += bytesRead;
    }
    return buf;
  }
}
