/**
 * Runs the real `tessenger` CLI in a pseudo-terminal and keeps a headless xterm fed with its
 * output, so a test reads the screen a user would see. Every wait polls the screen until a
 * pattern shows up; nothing sleeps for a fixed time to be correct.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import xterm from '@xterm/headless';
import * as pty from 'node-pty';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli/main.js');

/** The environment DESIGN.md names for TUI tests. */
export const TUI_ENV = { TERM: 'xterm-256color', LANG: 'C.UTF-8', NCURSES_NO_UTF8_ACS: '1' };

export class PtyTerminal {
  readonly term: xterm.Terminal;
  private readonly proc: pty.IPty;
  /** Everything the program wrote, raw, for diagnostics and for checks on escape codes. */
  raw = '';
  exitCode: number | null = null;
  readonly exited: Promise<number>;
  private pendingWrites = 0;

  constructor(
    args: string[],
    options: { cwd: string; cols?: number; rows?: number; env?: Record<string, string> },
  ) {
    const cols = options.cols ?? 100;
    const rows = options.rows ?? 30;
    this.term = new xterm.Terminal({ cols, rows, allowProposedApi: true });
    this.proc = pty.spawn(process.execPath, [CLI, ...args], {
      name: 'xterm-256color',
      cols,
      rows,
      cwd: options.cwd,
      env: {
        ...(process.env as Record<string, string>),
        ...TUI_ENV,
        // Certificates are pinned per test folder, never in the user's real config.
        TESSENGER_CONFIG_DIR: path.join(options.cwd, '.tessenger-config'),
        ...options.env,
      },
    });
    this.proc.onData((data) => {
      this.raw += data;
      this.pendingWrites++;
      this.term.write(data, () => {
        this.pendingWrites--;
      });
    });
    this.exited = new Promise((resolve) => {
      this.proc.onExit(({ exitCode }) => {
        this.exitCode = exitCode;
        resolve(exitCode);
      });
    });
  }

  /** The screen as text, one string per row, trailing spaces trimmed. */
  lines(): string[] {
    const buf = this.term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < this.term.rows; y++) {
      // trimEnd: blessed clears with written spaces, which translateToString keeps.
      out.push((buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '').trimEnd());
    }
    return out;
  }

  text(): string {
    return this.lines().join('\n');
  }

  /** Polls the screen until `pattern` matches; fails with the screen in the message. */
  async waitFor(pattern: RegExp | string, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.text();
      const hit = typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
      if (hit && this.pendingWrites === 0) return text;
      if (Date.now() > deadline || (this.exitCode !== null && !hit)) {
        throw new Error(`screen never showed ${String(pattern)}:\n${text}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Waits until `pattern` is no longer on screen. */
  async waitForGone(pattern: RegExp | string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.text();
      const hit = typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
      if (!hit) return;
      if (Date.now() > deadline)
        throw new Error(`screen kept showing ${String(pattern)}:\n${text}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The row of the screen that matches, for checks on one line. */
  row(pattern: RegExp): string | undefined {
    return this.lines().find((l) => pattern.test(l));
  }

  /** Screen columns (cells, so wide characters count twice) where `ch` sits in a row. */
  columnsOf(rowIndex: number, ch: string): number[] {
    const line = this.term.buffer.active.getLine(this.term.buffer.active.viewportY + rowIndex);
    const cols: number[] = [];
    for (let x = 0; line && x < this.term.cols; x++) {
      if (line.getCell(x)?.getChars() === ch) cols.push(x);
    }
    return cols;
  }

  /** A left click at a cell (0-based), in the X10 encoding blessed reads. */
  click(col: number, row: number): void {
    const at = (b: number) => `\x1b[M${String.fromCharCode(32 + b, 33 + col, 33 + row)}`;
    this.write(at(0));
    this.write(at(3));
  }

  /** One notch of the mouse wheel over a cell (0-based). */
  wheel(direction: 'up' | 'down', col: number, row: number): void {
    const b = direction === 'up' ? 64 : 65;
    this.write(`\x1b[M${String.fromCharCode(32 + b, 33 + col, 33 + row)}`);
  }

  write(data: string): void {
    this.proc.write(data);
  }

  /** Types text, then waits for it to be echoed in the input row before going on. */
  async type(text: string): Promise<void> {
    this.write(text);
    await this.waitFor(text.slice(-20));
  }

  resize(cols: number, rows: number): void {
    this.proc.resize(cols, rows);
    this.term.resize(cols, rows);
  }

  kill(): void {
    if (this.exitCode === null) this.proc.kill();
  }
}
