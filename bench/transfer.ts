/**
 * `npm run bench:transfer`: Tessenger's goodput on loopback against baselines measured in the
 * same run, and through the impairment proxy at 0/1/5/20 % loss. Prints medians of RUNS runs,
 * interleaved so that all measurements see the same machine load.
 * Environment: BENCH_MIB (default 200), BENCH_PROXY_MIB (64), BENCH_RUNS (3).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTransferEngine, LOOPBACK_CHUNK } from '../src/transfer/engine.js';
import {
  cryptoCeiling,
  naiveUdp,
  rawPacedUdp,
  type Sample,
  startWorker,
  tcp,
} from './baselines.js';
import { makeFile, median } from './samples.js';

const MIB = 1024 * 1024;
const size = Number(process.env.BENCH_MIB ?? 200) * MIB;
const proxySize = Number(process.env.BENCH_PROXY_MIB ?? 64) * MIB;
const runs = Number(process.env.BENCH_RUNS ?? 3);

/** One Tessenger transfer, receiver in a worker; optionally through a proxy worker. */
async function tessenger(
  src: { file: string; sha256: string },
  bytes: number,
  loss: number | null,
) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tessenger-bench-rx-'));
  const engine = await createTransferEngine({ port: 0, host: '127.0.0.1' });
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

/**
 * Runs every measurement once per round, round after round, and takes each one's median: on a
 * shared machine the load drifts, and interleaving exposes all of them to the same drift.
 */
async function interleaved(n: number, fns: Array<() => Promise<Sample>>): Promise<Sample[]> {
  const samples: Sample[][] = fns.map(() => []);
  for (let round = 0; round < n; round++) {
    for (const [i, fn] of fns.entries()) samples[i]!.push(await fn());
  }
  return samples.map((list) => {
    const loss = list.map((s) => s.lossPct).filter((x): x is number => x !== undefined);
    return {
      mbps: median(list.map((s) => s.mbps)),
      lossPct: loss.length ? median(loss) : undefined,
    };
  });
}

const fmt = (s: Sample): string =>
  `${s.mbps.toFixed(1)} MB/s${s.lossPct !== undefined ? ` (${s.lossPct.toFixed(1)} % lost)` : ''}`;

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tessenger-bench-'));
  console.log(`Tessenger transfer bench: ${size / MIB} MiB on loopback, medians of ${runs} runs,`);
  console.log(`Node ${process.version}, ${os.cpus().length} CPUs, chunk ${LOOPBACK_CHUNK} B\n`);
  const big = await makeFile(dir, size);
  const load = () => os.loadavg()[0]!.toFixed(2);
  console.log(`load average at start: ${load()}`);
  console.log(
    "timed: Tessenger from send() to the DONE that follows the receiver's SHA-256 check and rename;\n" +
      '       raw and naive UDP from the first to the last datagram at the sink (rates 100-2000 MB/s\n' +
      '       tried, best with <= 1 % lost); TCP from accept to end of stream at the sink\n',
  );
  // The raw ceiling sends datagrams of Tessenger's chunk size (its datagrams are 44 bytes
  // longer: header, chunk number and GCM tag), so neither side gets a size advantage.
  const [ours, raw, naive, overTcp, cpu] = (await interleaved(runs, [
    () => tessenger(big, size, null),
    () => rawPacedUdp(size, LOOPBACK_CHUNK),
    () => naiveUdp(size),
    () => tcp(big.file),
    async () => cryptoCeiling(size, LOOPBACK_CHUNK),
  ])) as [Sample, Sample, Sample, Sample, Sample];
  console.log(`Tessenger (encrypted, reliable, verified)   ${fmt(ours)}`);
  console.log(`raw paced UDP ceiling (no acks, no crypto)  ${fmt(raw)}`);
  console.log(`naive UDP, 1 KiB datagrams, no acks         ${fmt(naive)}`);
  console.log(`node:net TCP                                ${fmt(overTcp)}`);
  console.log(`seal + open + SHA-256, one thread, no I/O   ${fmt(cpu)}`);
  console.log(
    `ratio Tessenger / raw paced UDP             ${(ours.mbps / raw.mbps).toFixed(2)} (target >= 0.8)`,
  );
  console.log(`ratio Tessenger / naive goodput             ${(ours.mbps / naive.mbps).toFixed(2)}`);
  console.log(
    `ratio Tessenger / TCP                       ${(ours.mbps / overTcp.mbps).toFixed(2)}`,
  );
  console.log(`ratio Tessenger / crypto-only ceiling       ${(ours.mbps / cpu.mbps).toFixed(2)}`);
  console.log(`load average after loopback rounds: ${load()}\n`);

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
    const ratio = s.mbps / base;
    const target = 0.8 * (1 - loss);
    console.log(
      `  ${String(loss * 100).padStart(2)} % loss  ${fmt(s).padEnd(12)}  ratio vs 0 %: ${ratio.toFixed(2)}` +
        `  (target >= ${target.toFixed(2)}: ${ratio >= target ? 'met' : 'MISSED'})`,
    );
  }
  console.log(`load average at end: ${load()}`);
  await fs.rm(dir, { recursive: true, force: true });
}

await main();
