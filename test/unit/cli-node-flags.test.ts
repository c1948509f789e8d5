/** The Node flags the server runs with are the same however it is started: bin, npm start, bench. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { binNodeFlags } from '../../bench/load/tessenger-server.js';

const MAIN = 'src/cli/main.ts';

describe("the server's Node flags", () => {
  it('are read from the shebang by the bench', () => {
    const flags = binNodeFlags(MAIN);
    expect(flags.length).toBeGreaterThan(0);
    expect(flags.every((f) => f.startsWith('--'))).toBe(true);
    expect(readFileSync(MAIN, 'utf8').split('\n', 1)[0]).toBe(
      `#!/usr/bin/env -S node ${flags.join(' ')}`,
    );
  });

  it('are the ones npm start passes', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } };
    expect(pkg.scripts.start).toBe(`node ${binNodeFlags(MAIN).join(' ')} dist/cli/main.js start`);
  });
});
