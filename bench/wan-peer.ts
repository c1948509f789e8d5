/**
 * One side of a wide-area run, as its own process inside a network namespace (started with
 * `ip netns exec NS node wan-peer.js ROLE ...` by bench/wan.ts). It talks JSON lines: answers
 * on stdout, orders on stdin. Roles:
 *   tess-recv ADDR DIR SIZE SHA256   -> {port, publicKey}; <- {peer, publicKey}; -> {ready}, then {ok}
 *   tess-send ADDR FILE SIZE SHA256  -> {port, publicKey}; <- {peer, publicKey}; -> {ok, ms}
 *   tls-recv ADDR KEY CERT           -> {port}, then {bytes, sha256}
 *   tls-send HOST PORT FILE CERT     -> {ok, ms, sha256, cipher}
 * Every role answers "report" with {bytes} received so far (0 for senders) and exits when
 * stdin closes. Final answers carry cpuMs: this process's CPU time since the transfer began.
 */
import readline from 'node:readline';
import type { Endpoint } from '../src/protocol/control.js';
import { createTransferEngine } from '../src/transfer/engine.js';
import { listenTlsSink, sendOverTls } from './tls-stream.js';

const TRANSFER_ID = 'bench-wan';
const [role, ...args] = process.argv.slice(2);
let cpuStart = process.cpuUsage();
const cpuMs = () => {
  const { user, system } = process.cpuUsage(cpuStart);
  return (user + system) / 1000;
};
const say = (m: unknown) => process.stdout.write(`${JSON.stringify(m)}\n`);
const orders: Array<(line: string) => void> = [];
let received = () => 0;
const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'report') say({ bytes: received() });
  else orders.shift()?.(line);
});
lines.on('close', () => process.exit(0));
const order = <T>() => new Promise<T>((r) => orders.push((l) => r(JSON.parse(l) as T)));
const fail = (error: unknown) => say({ ok: false, error: String(error) });
const succeed = (m: object) => say({ ok: true, ...m, cpuMs: cpuMs() });

interface PeerInfo {
  peer: Endpoint;
  publicKey: string;
}

async function tessenger(send: boolean): Promise<void> {
  const [host, where, size, sha256] = args as [string, string, string, string];
  const engine = await createTransferEngine({ port: 0, host });
  const keys = engine.createKeyPair();
  say({ port: engine.port, publicKey: keys.publicKey });
  const other = await order<PeerInfo>();
  const common = {
    transferId: TRANSFER_ID,
    peer: other.peer,
    size: Number(size),
    sha256,
    keys,
    remotePublicKey: other.publicKey,
  };
  cpuStart = process.cpuUsage();
  if (send) {
    const start = performance.now();
    const t = engine.send({ ...common, filePath: where });
    await t.done.then(
      () => succeed({ ms: performance.now() - start, retransmits: t.stats.retransmits }),
      fail,
    );
    return;
  }
  const t = engine.receive({ ...common, dir: where, fileName: 'received.bin' });
  let bytes = 0;
  t.on('progress', (p: { bytes: number }) => {
    bytes = p.bytes;
  });
  received = () => bytes;
  say({ ready: true });
  // The engine lingers after DONE (a lost DONE is answered again) until stdin closes.
  await t.done.then(() => succeed({}), fail);
}

async function tlsReceive(): Promise<void> {
  const [host, keyFile, certFile] = args as [string, string, string];
  const sink = await listenTlsSink(host, { keyFile, certFile });
  received = sink.bytes;
  say({ port: sink.port });
  cpuStart = process.cpuUsage();
  await sink.received.then(succeed, fail);
}

async function tlsSend(): Promise<void> {
  const [host, port, file, certFile] = args as [string, string, string, string];
  cpuStart = process.cpuUsage();
  await sendOverTls(host, Number(port), file, { certFile }).then(succeed, fail);
}

switch (role) {
  case 'tess-recv':
    await tessenger(false);
    break;
  case 'tess-send':
    await tessenger(true);
    break;
  case 'tls-recv':
    await tlsReceive();
    break;
  case 'tls-send':
    await tlsSend();
    break;
  default:
    fail(new Error(`unknown role ${role}`));
    process.exit(2);
}
