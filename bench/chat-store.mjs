// Durable chat throughput, against baselines measured in the same run. Run after a build:
//   npx tsc -p tsconfig.json && node bench/chat-store.mjs
// 1. The store alone: one fsync'd commit per message (awaited one by one) vs group commit.
// 2. The whole server over TCP: 4 senders, each with 1 or 32 /msgto in flight, database on
//    disk (synchronous=FULL) vs in memory (no durability: the ceiling).
// `node bench/chat-store.mjs index [--messages N] [--batch B] [--rows R]` instead: the direct
// message index (docs/PERFORMANCE.md, section 7), schema 1's pair index as the baseline.
// 3. The store's write cost per message, random pairs, batches of B: the segment index vs
//    the pair index, each on a fresh database through the store (CPU and wall per message).
// 4. /history of a cold pair (its only message the oldest of R rows) and of a pair with no
//    message: the segment walk vs the pair index on the same table.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startServer } from '../dist/server/server.js';
import { DATABASE_FILE, openSqliteStore } from '../dist/store/sqlite-store.js';

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

/** Schema 1's index (migration 1), put back in place of the segment index. */
const PAIR_INDEX = 'CREATE INDEX direct_pair ON direct_messages (sender, recipient, n)';
const USERS = Array.from({ length: 1000 }, (_, i) => `user${String(i).padStart(4, '0')}`);
const TEXT = 'x'.repeat(64);
const randomUser = () => USERS[Math.floor(Math.random() * USERS.length)];

/** Runs `sql` on the store's database file with a connection of its own. */
function alter(dir, sql) {
  const db = new Database(path.join(dir, DATABASE_FILE));
  db.exec(sql);
  db.close();
}

/** A store on a fresh folder; with `pairIndex`, its direct messages indexed as in schema 1. */
async function freshStore(pairIndex) {
  const dir = temp();
  await openSqliteStore(dir).close();
  if (pairIndex) alter(dir, `DROP INDEX direct_segment; ${PAIR_INDEX}`);
  return { dir, store: openSqliteStore(dir) };
}

/** Per message: process CPU and wall time of `messages` random-pair writes in batches. */
async function writeCost(pairIndex, messages, batch) {
  const { dir, store } = await freshStore(pairIndex);
  const cpu = process.cpuUsage();
  const t = performance.now();
  for (let sent = 0; sent < messages; sent += batch) {
    const writes = Array.from({ length: batch }, (_, i) =>
      store.addDirect({
        ts: sent + i,
        from: randomUser(),
        to: randomUser(),
        text: TEXT,
        queued: false,
      }),
    );
    await Promise.all(writes);
  }
  const wall = ((performance.now() - t) * 1000) / messages;
  const used = process.cpuUsage(cpu);
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { cpu: (used.user + used.system) / messages, wall };
}

/**
 * Median over `runs` calls of `fn` (after one to warm up): its time, and the longest the
 * event loop went without a turn meanwhile (a ticker of setImmediate callbacks measures it).
 */
async function median(fn, runs = 9) {
  await fn();
  const times = [];
  const stalls = [];
  for (let i = 0; i < runs; i++) {
    let done = false;
    let last = performance.now();
    let stall = 0;
    const tick = () => {
      const now = performance.now();
      stall = Math.max(stall, now - last);
      last = now;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
    done = true;
    stalls.push(Math.max(stall, performance.now() - last));
  }
  const mid = (values) => values.sort((x, y) => x - y)[Math.floor(runs / 2)];
  return { ms: mid(times), stall: mid(stalls) };
}

async function historyCost(rows) {
  const dir = temp();
  await openSqliteStore(dir).close();
  const db = new Database(path.join(dir, DATABASE_FILE));
  const insert = db.prepare(
    'INSERT INTO direct_messages (n, ts, sender, recipient, text) VALUES (?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    insert.run(1, 1, 'coldA', 'coldB', 'the oldest message');
    for (let n = 2; n <= rows; n++) insert.run(n, n, randomUser(), randomUser(), TEXT);
  })();
  db.close();
  const store = openSqliteStore(dir);
  const cold = await median(() => store.directHistory('coldA', 'coldB', 20));
  const none = await median(() => store.directHistory('coldA', 'nobody', 20));
  const hot = await median(() => store.directHistory(USERS[1], USERS[2], 20));
  await store.close();
  alter(dir, PAIR_INDEX);
  const old = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
  // Schema 1's history statement.
  const before = old.prepare(`
    SELECT * FROM direct_messages WHERE (sender = ? AND recipient = ?) OR (sender = ? AND recipient = ?)
    ORDER BY n DESC LIMIT ?`);
  const oldCold = await median(() => before.all('coldA', 'coldB', 'coldB', 'coldA', 20));
  old.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { cold, none, hot, oldCold };
}

async function indexBench(argv) {
  const option = (name, fallback) => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? Number(argv[at + 1]) : fallback;
  };
  const messages = option('messages', 100_000);
  const batch = option('batch', 50);
  const rows = option('rows', 1_000_000);
  console.log(
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  // Pair index first, then segments, then both again: a trend in the machine's load cancels.
  const runs = [];
  for (const pairIndex of [true, false, false, true])
    runs.push(await writeCost(pairIndex, messages, batch));
  const mean = (a, b, key) => (a[key] + b[key]) / 2;
  const pair = { cpu: mean(runs[0], runs[3], 'cpu'), wall: mean(runs[0], runs[3], 'wall') };
  const seg = { cpu: mean(runs[1], runs[2], 'cpu'), wall: mean(runs[1], runs[2], 'wall') };
  console.log(
    `${messages} direct messages, random pairs of ${USERS.length} users, batches of ${batch}, per message:`,
  );
  console.log(
    `  pair index (schema 1):      CPU ${pair.cpu.toFixed(1)} us, wall ${pair.wall.toFixed(1)} us`,
  );
  console.log(
    `  segment index (schema 2):   CPU ${seg.cpu.toFixed(1)} us, wall ${seg.wall.toFixed(1)} us (${(pair.cpu / seg.cpu).toFixed(2)}x less CPU, ${(pair.wall / seg.wall).toFixed(2)}x less wall)`,
  );
  const h = await historyCost(rows);
  console.log(`/history, limit 20, ${rows} rows, median of 9 (time; longest event-loop stall):`);
  const show = (m) => `${m.ms.toFixed(3)} ms; ${m.stall.toFixed(3)} ms`;
  console.log(
    `  pair whose only message is the oldest: ${show(h.cold)} (pair index: ${show(h.oldCold)})`,
  );
  console.log(`  pair with no message:                  ${show(h.none)}`);
  console.log(`  random pair (~2 messages):             ${show(h.hot)}`);
  console.log(
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

if (process.argv[2] === 'index') {
  await indexBench(process.argv.slice(3));
} else {
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
}
