#!/usr/bin/env node
/**
 * Fails (exit 1) when src/ has an import cycle or an import against the layers.
 *
 *   node scripts/check-imports.mjs [ROOT]        ROOT defaults to src
 *
 * Every relative import counts, `import type` too: a type-only cycle is still two modules that
 * cannot be read, moved or tested apart. Imports are found by the TypeScript compiler's own
 * pre-processor (ts.preProcessFile), so there is no dependency beyond the compiler we build with.
 * Example output for a cycle:
 *   import cycle: client/a.ts -> client/b.ts -> client/a.ts
 * and for a layer break:
 *   layer: client/chat-client.ts imports tui/app.ts (client may import transfer, protocol, util)
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * What each top-level folder may import besides itself: imports point one way,
 * cli -> tui -> presentation -> client -> transfer -> protocol -> util, with the server apart.
 * A folder not listed here (a new one) fails until it is given its place.
 */
export const LAYERS = {
  util: [],
  protocol: ['util'],
  transfer: ['protocol', 'util'],
  store: ['protocol', 'util'],
  server: ['store', 'transfer', 'protocol', 'util'],
  client: ['transfer', 'protocol', 'util'],
  presentation: ['client', 'transfer', 'protocol', 'util'],
  tui: ['presentation', 'client', 'transfer', 'protocol', 'util'],
  cli: ['tui', 'presentation', 'client', 'server', 'store', 'transfer', 'protocol', 'util'],
};

function sourceFiles(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

/** The .ts file a relative specifier names (NodeNext: `./x.js` is `./x.ts`), or null. */
function resolve(from, specifier) {
  if (!specifier.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [
    base.replace(/\.js$/, '.ts'),
    `${base}.ts`,
    path.join(base, 'index.ts'),
  ]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** Module graph of the .ts files under root: file -> files it imports. */
export function importGraph(root) {
  const graph = new Map();
  for (const file of sourceFiles(root)) {
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    const targets = new Set();
    for (const { fileName } of info.importedFiles) {
      const target = resolve(file, fileName);
      if (target) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/** Every strongly connected component of more than one file (or a file importing itself). */
function cycles(graph) {
  // Tarjan's algorithm, iterative so a deep tree cannot overflow the stack.
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue;
    const work = [[start, 0]];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const [node, i] = frame;
      const edges = graph.get(node) ?? [];
      if (i < edges.length) {
        frame[1]++;
        const to = edges[i];
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push([to, 0]);
        } else if (onStack.has(to)) {
          low.set(node, Math.min(low.get(node), index.get(to)));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent), low.get(node)));
      }
      if (low.get(node) === index.get(node)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        const selfLoop = (graph.get(node) ?? []).includes(node);
        if (component.length > 1 || selfLoop) found.push(component);
      }
    }
  }
  return found;
}

/** One concrete loop through a component, for a readable message: a -> b -> ... -> a. */
function loopThrough(graph, component) {
  const members = new Set(component);
  const first = [...component].sort()[0];
  const seen = new Map([[first, null]]);
  const queue = [first];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const to of graph.get(node) ?? []) {
      if (to === first) {
        const loop = [node];
        for (let at = seen.get(node); at !== null; at = seen.get(at)) loop.unshift(at);
        return [...loop, first];
      }
      if (members.has(to) && !seen.has(to)) {
        seen.set(to, node);
        queue.push(to);
      }
    }
  }
  return [first, first];
}

/** Problems found under root, as lines; empty when the graph is clean. */
export function checkImports(root) {
  const graph = importGraph(root);
  const rel = (file) => path.relative(root, file).split(path.sep).join('/');
  const problems = [];
  for (const component of cycles(graph)) {
    const loop = loopThrough(graph, component);
    // Breaking the loop shown may leave others among the same files: name them (the first 8).
    const names = component.map(rel).sort();
    const shown = names.length > 8 ? [...names.slice(0, 8), `${names.length - 8} more`] : names;
    const rest = names.length > loop.length - 1 ? ` (tangled: ${shown.join(', ')})` : '';
    problems.push(`import cycle: ${loop.map(rel).join(' -> ')}${rest}`);
  }
  const layerOf = (file) => {
    const parts = rel(file).split('/');
    return parts.length > 1 ? parts[0] : null;
  };
  for (const [file, targets] of graph) {
    const from = layerOf(file);
    if (from === null) continue;
    const allowed = LAYERS[from];
    if (allowed === undefined) {
      problems.push(`layer: ${rel(file)} is in ${from}/, which has no place in LAYERS`);
      continue;
    }
    for (const target of targets) {
      const to = layerOf(target);
      if (to === null || to === from || allowed.includes(to)) continue;
      const may = allowed.length > 0 ? allowed.join(', ') : 'nothing outside itself';
      problems.push(`layer: ${rel(file)} imports ${rel(target)} (${from} may import ${may})`);
    }
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = path.resolve(process.argv[2] ?? 'src');
  const problems = checkImports(root);
  for (const line of problems) console.error(line);
  if (problems.length > 0) {
    console.error(`${problems.length} import problem(s) under ${path.relative('.', root) || '.'}`);
    process.exit(1);
  }
  console.log(`imports ok: ${importGraph(root).size} files, no cycle, layers respected`);
}
