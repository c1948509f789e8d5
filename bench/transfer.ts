/**
 * `npm run bench:transfer`: Tessenger's goodput on loopback against baselines and the tools a
 * user would pick instead (scp to a local sshd, TLS 1.3 over TCP), all measured in the same
 * run on the same file; through the impairment proxy at 0/1/5/20 % loss; and across the netns
 * wide-area path at 40 ms RTT and 0/2/10 % loss against the same TLS stream (bench/wan.ts).
 * Prints medians of interleaved rounds, so that all measurements see the same machine load.
 * Options and their defaults: bench/transfer-options.ts.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTransferEngine, LOOPBACK_CHUNK, PATH_CHUNK } from '../src/transfer/engine.js';
import { requireNetns } from '../test/helpers/netns.js';
import {
  cryptoCeiling,
  naiveUdp,
  rawPacedUdp,
  type Sample,
  startWorker,
  tcp,
} from './baselines.js';
import { fmt, interleaved } from './rounds.js';
import { makeFile, median } from './samples.js';
import { type Sshd, sshUnavailableReason, startSshd } from './scp.js';
import { makeTlsFiles, type TlsFiles } from './tls-stream.js';
import { scpSample, scpSetupMs, tlsSample } from './tools.js';
import { parseTransferOptions } from './transfer-options.js';
import { tcpCongestionControls, WAN_DELAY_MS, wanRows } from './wan.js';

const MIB = 1024 * 1024;
const options = parseTransferOptions(process.argv.slice(3));
const size = options.sizeMib * MIB;
const proxySize = options.proxySizeMib * MIB;
const runs = options.runs;

/** One Tessenger transfer, receiver in a worker; optionally through a proxy worker. */
async function tessenger(
  src: { file: string; sha256: string },
  bytes: number,
  loss: number | null,
  chunkSize?: number,
) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tessenger-bench-rx-'));
  const engine = await createTransferEngine({ port: 0, host: '127.0.0.1', chunkSize });
  const keys = engine.createKeyPair();
  const rx = startWorker({
    kind: 'receive',
    dir,
    size: bytes,
    sha256: src.sha256,
    peerPort: engine.port,
    remoteKey: keys.publicKey,
  });
  const { port, publicKey } = await rx.next<{ port: number; publicKey: string }>();
  let proxy: ReturnType<typeof startWorker> | null = null;
  let toReceiver = port;
  let toSender = engine.port;
  if (loss !== null) {
    proxy = startWorker({ kind: 'proxy', a: engine.port, b: port, loss, seed: 1 });
    const p = await proxy.next<{ portForA: number; portForB: number }>();
    toReceiver = p.portForA;
    toSender = p.portForB;
  }
  rx.post({ peerPort: toSender });
  await rx.next();
  const start = performance.now();
  const t = engine.send({
    transferId: 'bench',
    peer: { address: '127.0.0.1', port: toReceiver },
    filePath: src.file,
    size: bytes,
    sha256: src.sha256,
    keys,
    remotePublicKey: publicKey,
  });
  const result = await t.done;
  const ms = performance.now() - start;
  const received = await rx.next<{ ok: boolean; error?: string }>();
  if (!received.ok) throw new Error(`receiver failed: ${received.error}`);
  rx.post('close');
  await rx.next();
  if (proxy) {
    proxy.post('stop');
    await proxy.next();
    await proxy.done();
  }
  await rx.done();
  await engine.close();
  await fs.rm(dir, { recursive: true, force: true });
  return { mbps: bytes / ms / 1000, retransmits: t.stats.retransmits, sentBytes: result.sentBytes };
}

const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const ratio = (a: Sample, b: Sample): string =>
  `${b.capped ? '> ' : ''}${(a.mbps / b.mbps).toFixed(2)}`;
const goal = (a: Sample, b: Sample, min: number): string =>
  `(goal >= ${min}: ${a.mbps / b.mbps >= min && !a.capped ? 'met' : 'MISSED'})`;
const SCP_CIPHERS = ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com'];

type Source = { file: string; sha256: string; bytes: number };

/** Tessenger on loopback, in the same interleaved rounds as every selected comparison. */
async function loopbackSection(big: Source, dir: string, tlsFiles: TlsFiles | null) {
  const rows: Array<{ label: string; run: () => Promise<Sample> }> = [
    { label: 'Tessenger (encrypted, reliable, verified)', run: () => tessenger(big, size, null) },
  ];
  if (options.parts.has('loopback')) {
    // The raw ceiling sends datagrams of Tessenger's chunk size (its datagrams are 44 bytes
    // longer: header, chunk number and GCM tag), so neither side gets a size advantage.
    rows.push(
      {
        label: 'raw paced UDP ceiling (no acks, no crypto)',
        run: () => rawPacedUdp(size, LOOPBACK_CHUNK),
      },
      { label: 'naive UDP, 1 KiB datagrams, no acks', run: () => naiveUdp(size) },
      { label: 'node:net TCP (no crypto)', run: () => tcp(big.file) },
      {
        label: 'seal + open + SHA-256, one thread, no I/O',
        run: async () => cryptoCeiling(size, LOOPBACK_CHUNK),
      },
    );
  }
  if (options.parts.has('wan')) {
    rows.push({
      label: `Tessenger, ${PATH_CHUNK}-byte chunks (as off loopback)`,
      run: () => tessenger(big, size, null, PATH_CHUNK),
    });
  }
  let sshd: Sshd | null = null;
  try {
    if (options.parts.has('scp')) {
      const missing = await sshUnavailableReason();
      if (missing) throw new Error(missing);
      sshd = await startSshd();
      const s = sshd;
      for (const cipher of SCP_CIPHERS) {
        rows.push({ label: `scp -c ${cipher}`, run: () => scpSample(s, big, size, cipher) });
      }
    }
    if (tlsFiles) {
      const files = tlsFiles;
      rows.push({
        label: 'TLS 1.3 over TCP, AES-256-GCM, hashed',
        run: () => tlsSample(big, size, files),
      });
    }
    console.log(`On loopback, ${size / MIB} MiB, medians of ${runs} interleaved rounds:`);
    const results = await interleaved(
      runs,
      rows.map((r) => r.run),
    );
    const ours = results[0]!;
    const width = Math.max(...rows.map((r) => r.label.length));
    for (const [i, r] of rows.entries())
      console.log(`  ${r.label.padEnd(width)}  ${fmt(results[i]!)}`);
    for (const [i, r] of rows.entries()) {
      if (i === 0) continue;
      const other = results[i]!;
      const target = r.label.startsWith('raw') ? 0.8 : r.label.startsWith('scp') ? 1.5 : 0;
      const verdict = target ? ` ${goal(ours, other, target)}` : '';
      console.log(`  ratio Tessenger / ${r.label.padEnd(width)}  ${ratio(ours, other)}${verdict}`);
    }
    if (sshd) {
      const empty = path.join(dir, 'empty.bin');
      await fs.writeFile(empty, '');
      const setup: number[] = [];
      for (let i = 0; i < 3; i++) setup.push(await scpSetupMs(sshd, empty));
      const ms = median(setup);
      const scp = results[rows.findIndex((r) => r.label.startsWith('scp'))]!;
      const net = size / (size / scp.mbps / 1000 - ms) / 1000;
      console.log(
        `  scp of a 0-byte file takes ${ms.toFixed(0)} ms (connect, key exchange, auth, SFTP); ` +
          `without it scp ${SCP_CIPHERS[0]} would be ${net.toFixed(1)} MB/s, ratio ${(ours.mbps / net).toFixed(2)}`,
      );
    }
  } finally {
    await sshd?.stop();
  }
  console.log(`load average after loopback rounds: ${load()}\n`);
}

async function proxySection(dir: string): Promise<void> {
  const small = await makeFile(dir, proxySize);
  console.log(`Through the user-space proxy (${proxySize / MIB} MiB, seeded random loss):`);
  const losses = [0, 0.01, 0.05, 0.2];
  const results = await interleaved(
    runs,
    losses.map((loss) => () => tessenger(small, proxySize, loss)),
  );
  const base = results[0]!.mbps;
  for (const [i, loss] of losses.entries()) {
    const s = results[i]!;
    const r = s.mbps / base;
    const target = 0.8 * (1 - loss);
    console.log(
      `  ${String(loss * 100).padStart(2)} % loss  ${fmt(s).padEnd(12)}  ratio vs 0 %: ${r.toFixed(2)}` +
        `  (target >= ${target.toFixed(2)}: ${r >= target ? 'met' : 'MISSED'})`,
    );
  }
  console.log(`load average after proxy rounds: ${load()}\n`);
}

async function wanSection(big: Source, dir: string, tlsFiles: TlsFiles): Promise<void> {
  requireNetns();
  const wanSize = options.wanSizeMib * MIB;
  const small = options.wanLosses.some((l) => l > 0)
    ? { ...(await makeFile(dir, wanSize)), bytes: wanSize }
    : big;
  console.log(
    `Across the netns wan (${2 * WAN_DELAY_MS} ms RTT by the TUN delay router, kernel random loss on ` +
      `the wide hop), ${size / MIB} MiB loss-free, ${wanSize / MIB} MiB lossy, cap ${options.capMs / 1000} s a run,`,
  );
  console.log(
    `each side its own process in its own namespace, medians of ${runs} interleaved rounds:`,
  );
  const rows = await wanRows({
    losses: options.wanLosses,
    big,
    small,
    runs,
    capMs: options.capMs,
    tls: tlsFiles,
  });
  const ccs = await tcpCongestionControls();
  const cell = (x: Sample, bytes: number) =>
    `${fmt(x)}${x.cpuMs !== undefined && !x.capped ? ` ${((x.cpuMs / bytes) * MIB).toFixed(0)} ms/MiB` : ''}`;
  const head = ccs.map((cc) => `${`TLS/TCP ${cc}`.padEnd(26)}${'ratio'.padEnd(10)}`);
  console.log(`  loss  ${'Tessenger'.padEnd(26)}${head.join('')}`);
  for (const row of rows) {
    const cols = row.tls.map(
      (t) => `${cell(t, row.bytes).padEnd(26)}${ratio(row.tessenger, t).padEnd(10)}`,
    );
    const pct = String(Math.round(row.loss * 100)).padStart(2);
    console.log(`  ${pct} %  ${cell(row.tessenger, row.bytes).padEnd(26)}${cols.join('')}`);
  }
  for (const row of rows.filter((r) => r.loss === 0.02)) {
    for (const [j, t] of row.tls.entries()) {
      console.log(
        `  at 2 % loss, Tessenger / TLS-over-TCP ${ccs[j]}: ${row.tessenger.mbps.toFixed(2)} / ` +
          `${t.mbps.toFixed(2)} = ${ratio(row.tessenger, t)} ${goal(row.tessenger, t, 3)}`,
      );
    }
  }
  console.log(
    '  ms/MiB: CPU time (user + system) of both ends per MiB, not counting the delay router',
  );
  console.log('  ("< x MB/s": stopped at the cap, x = bytes received by then / cap)');
  console.log(`load average after wan rounds: ${load()}\n`);
}

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tessenger-bench-'));
  try {
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    console.log(
      `Tessenger transfer bench: parts ${[...options.parts].join(', ')}; medians of ${runs} rounds`,
    );
    console.log(
      `Node ${process.version}, ${os.cpus().length} x ${cpu}, Linux ${os.release()}, chunk ${LOOPBACK_CHUNK} B on loopback`,
    );
    console.log(`load average at start: ${load()}`);
    console.log(
      "timed: Tessenger from send() to the DONE that follows the receiver's SHA-256 check and rename;\n" +
        "       TLS from connect() to the receiver's SHA-256 coming back; scp from start to exit\n" +
        '       (the copy hashed afterwards); raw and naive UDP from the first to the last datagram at\n' +
        '       the sink (rates 100-2000 MB/s tried, best with <= 1 % lost); TCP accept to end at the sink\n',
    );
    const p = options.parts;
    const big = { ...(await makeFile(dir, size)), bytes: size };
    const tlsFiles = p.has('tls') || p.has('wan') ? await makeTlsFiles(dir) : null;
    if (p.has('loopback') || p.has('scp') || p.has('tls') || p.has('wan')) {
      await loopbackSection(big, dir, p.has('tls') ? tlsFiles : null);
    }
    if (p.has('proxy')) await proxySection(dir);
    if (p.has('wan')) await wanSection(big, dir, tlsFiles!);
    console.log(`load average at end: ${load()}`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await main();
