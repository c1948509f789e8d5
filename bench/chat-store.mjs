// Durable chat throughput, against baselines measured in the same run. Run after a build:
//   npx tsc -p tsconfig.json && node bench/chat-store.mjs
// 1. The store alone: one fsync'd commit per message (awaited one by one) vs group commit.
// 2. The whole server over TCP: 4 senders, each with 1 or 32 /msgto in flight, database on
//    disk (synchronous=FULL) vs in memory (no durability: the ceiling).
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../dist/server/server.js';
import { openSqliteStore } from '../dist/store/sqlite-store.js';

const temp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tessenger-bench-'));
const rate = (n, ms) => (n / ms) * 1000;

async function storeBench() {
  const dir = temp();
  const store = openSqliteStore(dir);
  const m = (i) => ({ ts: i, from: 'Yoda', to: 'obiwan', text: `message ${i}`, queued: false });
  let t = performance.now();
  for (let i = 0; i < 500; i++) await store.addDirect(m(i));
  const single = rate(500, performance.now() - t);
  t = performance.now();
  for (let b = 0; b < 100; b++) {
    await Promise.all(Array.from({ length: 100 }, (_, i) => store.addDirect(m(i))));
  }
  const grouped = rate(10_000, performance.now() - t);
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { single, grouped };
}

async function serverBench(onDisk, window, perSender = 2000) {
  const dir = temp();
  const users = ['Yoda', 'obiwan', 'Hans', 'vader'];
  fs.writeFileSync(path.join(dir, 'credentials.txt'), users.map((u) => `${u} pw\n`).join(''));
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    maxAttempts: 3,
    credentialsPath: path.join(dir, 'credentials.txt'),
    logDir: path.join(dir, 'logs'),
    dataDir: onDisk ? path.join(dir, 'data') : null,
    idleMs: 0,
    console: () => {},
  });
  const clients = await Promise.all(users.map((u) => connect(server.port, u)));
  const t = performance.now();
  await Promise.all(
    clients.map(async (c, k) => {
      const to = users[(k + 1) % users.length];
      const inFlight = new Set();
      for (let sent = 0; sent < perSender; sent++) {
        const p = c.request({ type: 'msgto', to, text: `m${sent}` }).then(() => inFlight.delete(p));
        inFlight.add(p);
        if (inFlight.size >= window) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    }),
  );
  const result = rate(perSender * users.length, performance.now() - t);
  for (const c of clients) c.socket.destroy();
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return result;
}

/** A raw-frame client: requests by id, replies matched, pushes ignored. */
async function connect(port, username) {
  const socket = await new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
  });
  socket.setEncoding('utf8');
  const waiting = new Map();
  let buffered = '';
  let nextId = 1;
  socket.on('data', (text) => {
    buffered += text;
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const frame = JSON.parse(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      if (frame.type === 'push') continue;
      if (frame.type !== 'ok') throw new Error(`${frame.code}: ${frame.message}`);
      waiting.get(frame.id)?.(frame.data);
      waiting.delete(frame.id);
    }
  });
  const request = (req) =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      socket.write(`${JSON.stringify({ v: 1, id, ...req })}\n`);
    });
  await request({ type: 'login', username, password: 'pw', udpPort: 6000 });
  return { socket, request };
}

const s = await storeBench();
console.log(`store, commit per message:   ${s.single.toFixed(0)} msg/s`);
console.log(
  `store, group commit (100/turn): ${s.grouped.toFixed(0)} msg/s (${(s.grouped / s.single).toFixed(1)}x)`,
);
const one = await serverBench(true, 1);
const many = await serverBench(true, 32);
const memory = await serverBench(false, 32);
console.log(`server on disk, 4 senders x 1 in flight:  ${one.toFixed(0)} msg/s`);
console.log(
  `server on disk, 4 senders x 32 in flight: ${many.toFixed(0)} msg/s (${(many / one).toFixed(1)}x)`,
);
console.log(
  `server in memory, 4 x 32 (no durability): ${memory.toFixed(0)} msg/s (disk is ${((many / memory) * 100).toFixed(0)}% of it)`,
);
