/**
 * One load-generator process of the chat bench (bench/chat.ts starts two). It owns a share of
 * the users, logs them in, sets up the groups, and on command sends direct or group messages
 * either closed-loop (each client keeps `window` messages unacknowledged: saturation) or
 * open-loop at a fixed rate. Every received message's latency goes into a histogram.
 */
import { IrcClient } from './irc/irc-client.js';
import { Histogram } from './load/histogram.js';
import { type LoadClient, type LoadSink, nowMs, stampedText } from './load/load-client.js';
import {
  groupOf,
  passwordOf,
  type RunCommand,
  type RunReport,
  userName,
  type WorkerCommand,
} from './load/plan.js';
import { TessengerClient } from './load/tessenger-client.js';

let clients: LoadClient[] = [];
let setup: Extract<WorkerCommand, { cmd: 'init' }> | null = null;
let run: RunState | null = null;
const failures: string[] = [];
let failureCount = 0;
/** When the last message arrived, so a run can wait for the stragglers. */
let lastDelivery = 0;

interface RunState {
  command: RunCommand;
  windowStart: number;
  windowEnd: number;
  sending: boolean;
  sent: number;
  sentInWindow: number;
  ackedInWindow: number;
  deliveredInWindow: number;
  /** Deliveries of messages sent inside the window, whenever they arrived. */
  histogram: Histogram;
  senders: LoadClient[];
}

const sink: LoadSink = {
  delivered(sentAt) {
    if (!run) return;
    const now = nowMs();
    lastDelivery = now;
    if (now >= run.windowStart && now < run.windowEnd) run.deliveredInWindow += 1;
    if (sentAt >= run.windowStart && sentAt < run.windowEnd) run.histogram.record(now - sentAt);
  },
  acked(client, count) {
    if (!run) return;
    const now = nowMs();
    if (now >= run.windowStart && now < run.windowEnd) run.ackedInWindow += count;
    if (run.sending && run.command.rate === 0) refill(client);
  },
  failed(reason) {
    failureCount += 1;
    if (failures.length < 5) failures.push(reason);
  },
};

function sendOne(client: LoadClient): void {
  if (!run || !setup) return;
  const now = nowMs();
  if (now >= run.windowStart && now < run.windowEnd) run.sentInWindow += 1;
  run.sent += 1;
  if (run.command.mode === 'group') {
    client.sendGroup(groupOf(userIndex(client), setup.groupSize, setup.total), stampedText());
    return;
  }
  let to = Math.floor(Math.random() * setup.total);
  if (userName(to, setup.width) === client.name) to = (to + 1) % setup.total;
  client.sendDirect(userName(to, setup.width), stampedText());
}

function refill(client: LoadClient): void {
  if (!run) return;
  let sent = 0;
  while (client.outstanding < run.command.window) {
    sendOne(client);
    sent += 1;
  }
  if (sent > 0) client.endBurst();
}

function userIndex(client: LoadClient): number {
  return Number(client.name.slice(4));
}

async function pool<T>(items: readonly T[], limit: number, each: (item: T) => Promise<void>) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await each(items[next++]!);
  });
  await Promise.all(lanes);
}

async function startRun(command: RunCommand): Promise<RunReport> {
  if (!setup) throw new Error('not initialised');
  const windowStart = command.startAt + command.warmupMs;
  const senders =
    command.mode === 'group'
      ? clients.filter((c) => groupOf(userIndex(c), setup!.groupSize, setup!.total) !== '')
      : clients;
  run = {
    command,
    windowStart,
    windowEnd: windowStart + command.durationMs,
    sending: false,
    sent: 0,
    sentInWindow: 0,
    ackedInWindow: 0,
    deliveredInWindow: 0,
    histogram: new Histogram(),
    senders,
  };
  const state = run;
  failureCount = 0;
  failures.length = 0;
  await sleep(command.startAt - nowMs());
  state.sending = true;
  let ticker: NodeJS.Timeout | undefined;
  if (command.rate === 0) {
    for (const client of senders) refill(client);
  } else {
    // Open loop: every millisecond, send what the rate says is due by now, from random
    // clients; a late tick catches up (capped, so a long GC pause is not one huge burst).
    const cap = Math.max(1, Math.ceil(command.rate / 50));
    ticker = setInterval(() => {
      const due = Math.floor((command.rate * (nowMs() - command.startAt)) / 1000) - state.sent;
      for (let i = 0; i < Math.min(due, cap); i++) {
        sendOne(senders[Math.floor(Math.random() * senders.length)]!);
      }
    }, 1);
  }
  await sleep(state.windowEnd - nowMs());
  state.sending = false;
  clearInterval(ticker);
  // Late deliveries still count for latency. Wait until the server has acknowledged every
  // message (both servers relay before they acknowledge: IRC's PONG comes after the relay),
  // then until deliveries from the other workers' clients stop; 30 s at most.
  for (const client of senders) client.endBurst();
  const drainEnd = nowMs() + 30_000;
  const unacknowledged = () => senders.reduce((sum, c) => sum + c.outstanding, 0);
  while (unacknowledged() > 0 && nowMs() < drainEnd) await sleep(20);
  do await sleep(command.drainMs / 4);
  while (nowMs() - lastDelivery < command.drainMs && nowMs() < drainEnd);
  run = null;
  return {
    sentInWindow: state.sentInWindow,
    ackedInWindow: state.ackedInWindow,
    deliveredInWindow: state.deliveredInWindow,
    histogram: state.histogram.toJSON(),
    failures: failureCount,
    failureSamples: [...failures],
  };
}

/** How long one login may take before it counts as failed. */
const LOGIN_TIMEOUT_MS = 30_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

async function handle(command: WorkerCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'init': {
      setup = command;
      const make = command.protocol === 'irc' ? IrcClient : TessengerClient;
      clients = command.users.map((i) => new make(userName(i, command.width), sink));
      return { ok: true };
    }
    case 'login': {
      const s = setup!;
      const started = nowMs();
      // A login the server never completes (a connection it closed or dropped) is a failure,
      // not a phase that waits forever: the bench reports it and goes on.
      await pool(clients, command.concurrency, (c) =>
        withTimeout(
          c.login(
            s.host,
            s.ports ? s.ports[userIndex(c) % s.ports.length]! : s.port,
            passwordOf(userIndex(c), s.width),
          ),
          LOGIN_TIMEOUT_MS,
        ).catch((err: unknown) => sink.failed(`${c.name}: login: ${String(err)}`)),
      );
      return { ms: nowMs() - started, failures: failureCount, failureSamples: failures };
    }
    case 'create-groups': {
      const s = setup!;
      const creators = clients.filter((c) => {
        const i = userIndex(c);
        return groupOf(i, s.groupSize, s.total) !== '' && i % s.groupSize === 0;
      });
      await Promise.all(
        creators.map((c) => {
          const first = userIndex(c);
          const members = Array.from({ length: s.groupSize - 1 }, (_, k) =>
            userName(first + k + 1, s.width),
          );
          return c.createGroup(groupOf(first, s.groupSize, s.total), members);
        }),
      );
      return { ok: true };
    }
    case 'join-groups': {
      const s = setup!;
      const joiners = clients.filter((c) => {
        const i = userIndex(c);
        return groupOf(i, s.groupSize, s.total) !== '' && i % s.groupSize !== 0;
      });
      await pool(joiners, 64, (c) => c.joinGroup(groupOf(userIndex(c), s.groupSize, s.total)));
      return { ok: true, failures: failureCount, failureSamples: failures };
    }
    case 'run':
      return startRun(command);
    case 'exit':
      for (const c of clients) c.close();
      setImmediate(() => process.exit(0));
      return { ok: true };
  }
}

process.on('message', (message: { seq: number; command: WorkerCommand }) => {
  handle(message.command).then(
    (result) => process.send?.({ seq: message.seq, result }),
    (err: unknown) => process.send?.({ seq: message.seq, error: String(err) }),
  );
});
process.send?.({ seq: 0, result: 'ready' });
