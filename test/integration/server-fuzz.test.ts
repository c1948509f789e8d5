/**
 * A fuzzer against a live server: many connections send random, mutated and schema-valid but
 * hostile frames (some after logging in) while two real clients chat. The server must stay
 * up, every chat message must arrive, and memory must stay bounded. Figures are printed for
 * docs/SECURITY.md. It runs over plain TCP and again over TLS 1.3 (the default transport).
 * The budget counts frames the server answered, not frames written: the server cuts a
 * connection after 10 bad lines in a row, and what a worker wrote after that was never read
 * (an earlier version counted those and reported 100 000 frames where the server had parsed
 * about 2 400). FUZZ_FRAMES / FUZZ_TLS_FRAMES / FUZZ_CONNECTIONS / FUZZ_SEED scale it up.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { frameCorpus } from '../helpers/fixtures.js';
import { FrameFuzzer } from '../helpers/fuzz-frames.js';
import { connectTls } from '../helpers/server-client.js';
import { USERS, useTestServer } from '../helpers/server-fixture.js';

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 100_000);
/**
 * The same mix over TLS 1.3, where the frames also go through the record layer. Fewer: each of
 * the ~1 600 connections a 100 000-frame run needs costs a handshake, which doubles its time.
 */
const TLS_FRAMES = Number(process.env.FUZZ_TLS_FRAMES ?? 30_000);
const CONNECTIONS = Number(process.env.FUZZ_CONNECTIONS ?? 20);
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
const MiB = 1024 * 1024;
/** Frames written at a time; a worker waits for answers before running further ahead. */
const BATCH = 50;

interface Totals {
  frames: number;
  /** Lines the server sent back on the fuzzing connections. */
  answered: number;
  connections: number;
  cutByServer: number;
}

/** One fuzzing worker: connects, maybe logs in, sends batches until the budget is spent. */
async function worker(
  port: number,
  index: number,
  totals: Totals,
  budget: () => boolean,
  useTls: boolean,
) {
  const fuzz = new FrameFuzzer(SEED + index);
  // Three of the workers log in first, so the handlers behind login are fuzzed too.
  const user = ['Hans', 'vader', 'Tiger'][index];
  while (budget()) {
    const socket = useTls ? connectTls(port) : net.connect(port, '127.0.0.1');
    totals.connections += 1;
    socket.on('error', () => {});
    // Replies are read and counted: each answers a line the server parsed (pushes to the
    // logged-in workers add a few). Only answered lines count toward the budget: frames
    // written into a connection the server has stopped reading would prove nothing.
    let answeredHere = 0;
    let wake: (() => void) | null = null;
    socket.on('data', (chunk: Buffer) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) answeredHere++;
      wake?.();
    });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve) => {
      socket.once(useTls ? 'secureConnect' : 'connect', resolve);
      socket.once('close', resolve);
    });
    if (user) {
      const login = {
        v: 1,
        id: 0,
        type: 'login',
        username: user,
        password: USERS[user],
        udpPort: 6000,
      };
      socket.write(`${JSON.stringify(login)}\n`);
    }
    let open = true;
    void closed.then(() => {
      open = false;
    });
    let sentHere = 0;
    let counted = 0;
    while (open && budget()) {
      const lines: Buffer[] = [];
      for (let i = 0; i < BATCH; i++) {
        lines.push(fuzz.oversize() ? Buffer.alloc(70 * 1024, 0x7b) : fuzz.line());
      }
      totals.frames += lines.length;
      sentHere += lines.length;
      socket.write(Buffer.concat(lines));
      // At most two batches ahead of the server's answers (or until it hangs up).
      while (open && sentHere - answeredHere > BATCH) {
        await Promise.race([new Promise<void>((r) => (wake = r)), closed]);
        wake = null;
      }
      totals.answered += answeredHere - counted;
      counted = answeredHere;
    }
    totals.answered += answeredHere - counted;
    if (!open) totals.cutByServer += 1;
    socket.destroy();
    await closed;
  }
}

describe.each([
  { transport: 'plain TCP', useTls: false, frames: FRAMES },
  { transport: 'TLS 1.3', useTls: true, frames: TLS_FRAMES },
])('control fuzzing over $transport', ({ transport, useTls, frames }) => {
  // A handler that throws on hostile input shows up here as an INTERNAL error.
  const internalErrors: string[] = [];
  const h = useTestServer({
    withTls: useTls,
    logger: {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (message, meta) => internalErrors.push(`${message} ${JSON.stringify(meta)}`),
    },
  });

  it(`survives ${frames} hostile frames answered from ${CONNECTIONS} connections while real clients chat`, async () => {
    const yoda = await h.t.login('Yoda');
    const obiwan = await h.t.login('obiwan');
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);

    const totals: Totals = { frames: 0, answered: 0, connections: 0, cutByServer: 0 };
    const budget = () => totals.answered < frames;
    const chat = (async () => {
      let sent = 0;
      while (budget() || sent < 200) {
        await yoda.ok('msgto', { to: 'obiwan', text: `real message ${sent}` });
        await obiwan.ok('msgto', { to: 'Yoda', text: `real reply ${sent}` });
        sent += 1;
      }
      return sent;
    })();
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONNECTIONS }, (_, i) => worker(h.t.port, i, totals, budget, useTls)),
    );
    const sent = await chat;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);

    // The server is up and serves a fresh login.
    const late = await h.t.connect();
    await late
      .ok('login', { username: 'Hans', password: USERS.Hans, udpPort: 6000 })
      .catch(async () => {
        // Hans may still be held by a fuzzing session the server is closing; any answer will do.
        await late.ok('ping');
      });
    // Every real message arrived, in order, exactly once.
    const texts = (c: typeof yoda, from: string) =>
      c
        .pushes('message')
        .filter((e) => e.type === 'message' && e.from === from && e.text.startsWith('real '))
        .map((e) => (e as { text: string }).text);
    await waitUntil(
      () => texts(obiwan, 'Yoda').length === sent && texts(yoda, 'obiwan').length === sent,
    );
    expect(texts(obiwan, 'Yoda')).toEqual(
      Array.from({ length: sent }, (_, i) => `real message ${i}`),
    );
    expect(texts(yoda, 'obiwan')).toEqual(
      Array.from({ length: sent }, (_, i) => `real reply ${i}`),
    );

    const grewMiB = (peak - baseline) / MiB;
    console.log(
      `fuzz (${transport}): ${totals.frames} frames written, ${totals.answered} answered, ${totals.connections} connections (${totals.cutByServer} cut by the server), ` +
        `${CONNECTIONS} at a time, ${sent} real messages each way, rss ${Math.round(baseline / MiB)} -> peak ${Math.round(peak / MiB)} MiB, ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s, seed ${SEED}`,
    );
    expect(totals.answered).toBeGreaterThanOrEqual(frames);
    expect(internalErrors).toEqual([]);
    expect(grewMiB).toBeLessThan(200);
  }, 120_000);
});

describe('the hostile-frame corpus (fixtures/frames/)', () => {
  const internalErrors: string[] = [];
  const h = useTestServer({
    logger: {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (message, meta) => internalErrors.push(`${message} ${JSON.stringify(meta)}`),
    },
  });

  it.each([
    ['before login', false],
    ['logged in', true],
  ])(
    'answers each past bug %s with a reply, never INTERNAL, and keeps the session',
    async (_, loggedIn) => {
      const corpus = frameCorpus();
      expect(corpus.length).toBeGreaterThanOrEqual(15);
      const c = loggedIn ? await h.t.login('Hans') : await h.t.connect();
      for (const [name, bytes] of corpus) {
        const before = c.frames.length;
        c.writeRaw(Buffer.concat([bytes, Buffer.from('\n')]));
        // A ping after each line, with an id no corpus line uses: it resets the count of bad
        // lines in a row that would cut the connection.
        const id = 1_000_000 + c.frames.length;
        c.sendFrame({ v: 1, id, type: 'ping' });
        expect((await c.reply(id)).type, name).toBe('ok');
        // The line's own reply may come after the ping's: a message is answered once committed.
        const answered = () => c.frames.slice(before).filter((f) => f.type !== 'push');
        for (let i = 0; i < 500 && answered().length < 2; i++) {
          await new Promise((r) => setTimeout(r, 10));
        }
        const answers = answered();
        expect(answers.length, name).toBe(2);
        expect(
          answers.map((f) => (f.type === 'error' ? f.code : 'ok')),
          name,
        ).not.toContain('INTERNAL');
      }
      expect(internalErrors).toEqual([]);
      const yoda = await h.t.login('Yoda');
      expect((await yoda.ok('activeuser')).users.length).toBe(loggedIn ? 1 : 0);
    },
  );
});

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !check(); i++) await new Promise((r) => setImmediate(r));
}
