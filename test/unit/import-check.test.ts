/** scripts/check-imports.mjs, which `npm run lint` runs: it must fail on a cycle and a layer break. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = path.resolve('scripts/check-imports.mjs');
const dirs: string[] = [];

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'imports-'));
  dirs.push(root);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}

function check(root: string) {
  const run = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('check-imports', () => {
  it('passes on src/', () => {
    const { code, out, err } = check(path.resolve('src'));
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/^imports ok: \d+ files, no cycle, layers respected/);
  });

  it('fails on a cycle, type-only imports included, naming the loop', () => {
    const root = tree({
      'client/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
      'client/b.ts': "import type { C } from './c.js';\nexport const b = 1 as C;\n",
      'client/c.ts': "import type { a } from './a.js';\nexport type C = typeof a;\n",
    });
    const { code, err } = check(root);
    expect(code).toBe(1);
    expect(err).toContain('import cycle: client/a.ts -> client/b.ts -> client/c.ts -> client/a.ts');
  });

  it('fails on an import against the layers and on a folder without a layer', () => {
    const root = tree({
      'client/core.ts': "import { draw } from '../tui/app.js';\nexport const core = draw;\n",
      'tui/app.ts': 'export const draw = 1;\n',
      'extras/x.ts': 'export const x = 1;\n',
    });
    const { code, err } = check(root);
    expect(code).toBe(1);
    expect(err).toContain('layer: client/core.ts imports tui/app.ts (client may import');
    expect(err).toContain('layer: extras/x.ts is in extras/, which has no place in LAYERS');
  });

  it('fails on main as it was: the six client files in a cycle', () => {
    const root = tree({
      'client/chat-client.ts': "import type { MoreResult } from './more-commands.js';\n",
      'client/more-commands.ts': "import type { Command } from './commands.js';\n",
      'client/commands.ts': 'export type Command = string;\n',
      'client/format.ts':
        "import type { CommandResult } from './chat-client.js';\nimport './more-format.js';\n",
      'client/more-format.ts': "import type { CommandResult } from './chat-client.js';\n",
      'client/transfers.ts': "import './receive-check.js';\n",
      'client/receive-check.ts': "import { formatBytes } from './format.js';\n",
    });
    const chat = path.join(root, 'client/chat-client.ts');
    fs.appendFileSync(chat, "import './transfers.js';\n");
    const { code, err } = check(root);
    expect(code).toBe(1);
    expect(err).toMatch(/import cycle: client\/chat-client\.ts -> .*client\/format\.ts/);
  });
});
