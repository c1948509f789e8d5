// Runs a compiled benchmark. The TypeScript is compiled by `tsc -p bench/tsconfig.json` into
// node_modules/.cache (ignored by git, no new packages); Node needs to be told it is ESM there.
import fs from 'node:fs';

const out = new URL('../node_modules/.cache/tessenger-bench/', import.meta.url);
fs.writeFileSync(new URL('package.json', out), '{"type":"module"}\n');
const name = process.argv[2] ?? 'transfer';
await import(new URL(`bench/${name}.js`, out).href);
