/**
 * The far side of each benchmark, in a worker thread so it has its own event loop and core
 * (as a real peer would): UDP and TCP sinks that count bytes, a TLS sink that hashes the
 * stream, a Tessenger receiver, and the impairment proxy.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { createTransferEngine } from '../src/transfer/engine.js';
import { createUdpProxy } from '../test/helpers/udp-proxy.js';
import { listenTlsSink, type TlsFiles } from './tls-stream.js';

export type WorkerJob =
  | { kind: 'udp-sink' }
  | { kind: 'tcp-sink' }
  | { kind: 'tls-sink'; files: TlsFiles }
  | {
      kind: 'receive';
      dir: string;
      size: number;
      sha256: string;
      peerPort: number;
      remoteKey: string;
    }
  | { kind: 'proxy'; a: number; b: number; loss: number; seed: number };

const port = parentPort!;
const job = workerData as WorkerJob;

async function udpSink(): Promise<void> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  socket.setRecvBufferSize(8 * 1024 * 1024);
  let bytes = 0;
  let datagrams = 0;
  let first = 0;
  let last = 0;
  socket.on('message', (m) => {
    if (datagrams === 0) first = performance.now();
    last = performance.now();
    datagrams++;
    bytes += m.length;
  });
  port.on('message', () => {
    port.postMessage({ bytes, datagrams, ms: last - first });
    socket.close();
  });
  port.postMessage({ port: socket.address().port });
}

async function tcpSink(): Promise<void> {
  const server = net.createServer((conn) => {
    let bytes = 0;
    const start = performance.now();
    conn.on('data', (d) => {
      bytes += d.length;
    });
    conn.on('end', () => {
      port.postMessage({ bytes, ms: performance.now() - start });
      server.close();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port.postMessage({ port: (server.address() as net.AddressInfo).port });
}

async function tlsSink(files: TlsFiles): Promise<void> {
  const sink = await listenTlsSink('127.0.0.1', files);
  port.postMessage({ port: sink.port });
  try {
    port.postMessage(await sink.received);
  } catch (error) {
    port.postMessage({ error: String(error) });
  }
  sink.close();
}

async function receive(j: Extract<WorkerJob, { kind: 'receive' }>): Promise<void> {
  const engine = await createTransferEngine({ port: 0, host: '127.0.0.1' });
  const keys = engine.createKeyPair();
  port.postMessage({ port: engine.port, publicKey: keys.publicKey });
  port.once('message', async (msg: { peerPort: number }) => {
    const t = engine.receive({
      transferId: 'bench',
      peer: { address: '127.0.0.1', port: msg.peerPort },
      dir: j.dir,
      fileName: 'received.bin',
      size: j.size,
      sha256: j.sha256,
      keys,
      remotePublicKey: j.remoteKey,
    });
    port.postMessage({ ready: true });
    try {
      const result = await t.done;
      port.postMessage({ ok: true, path: result.path, stats: t.stats });
    } catch (error) {
      port.postMessage({ ok: false, error: String(error) });
    }
    // Stay up until the sender has its DONE: a lost DONE is answered again while lingering.
    port.once('message', () => void engine.close().then(() => port.postMessage({ closed: true })));
  });
}

async function proxy(j: Extract<WorkerJob, { kind: 'proxy' }>): Promise<void> {
  const p = await createUdpProxy({
    a: { port: j.a },
    b: { port: j.b },
    seed: j.seed,
    impairment: { loss: j.loss },
  });
  port.postMessage({ portForA: p.portForA, portForB: p.portForB });
  port.once('message', async () => {
    port.postMessage({ counters: p.counters });
    await p.close();
  });
}

switch (job.kind) {
  case 'udp-sink':
    await udpSink();
    break;
  case 'tcp-sink':
    await tcpSink();
    break;
  case 'tls-sink':
    await tlsSink(job.files);
    break;
  case 'receive':
    await receive(job);
    break;
  case 'proxy':
    await proxy(job);
    break;
}
