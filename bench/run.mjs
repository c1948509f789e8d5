// Runs a compiled benchmark. The TypeScript is compiled by `tsc -p bench/tsconfig.json` into
// .bench-build/ (ignored by git); Node needs to be told it is ESM there. Not under
// node_modules: worktrees share that folder through a symlink, so one worktree's build would
// replace another's while its bench runs.
import fs from 'node:fs';

const out = new URL('../.bench-build/', import.meta.url);
fs.writeFileSync(new URL('package.json', out), '{"type":"module"}\n');
const name =
  process.argv[2] === 'chat' && process.argv.includes('--redis')
    ? 'chat-cluster'
    : (process.argv[2] ?? 'transfer');
await import(new URL(`bench/${name}.js`, out).href);
