/**
 * The plain-TCP baseline of `bench:path`: node:net moving a file from one namespace to a sink
 * in another, through the same wan (delay router, loss) as the Tessenger transfers. This file
 * is both the runner (`tcpThroughWan`) and the script it starts on each side with
 * `ip netns exec`: `node path-tcp.js sink HOST PORT` and `node path-tcp.js send HOST PORT FILE`.
 * The sink times from accept to end of stream and hashes what it got.
 */
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { NetnsHost } from '../test/helpers/netns.js';

const SELF = fileURLToPath(import.meta.url);

/** What the sink reports on its stdout, as one JSON line. */
interface SinkReport {
  bytes: number;
  ms: number;
  sha256: string;
}

function firstLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) early: ${err}`)));
  });
}

/** Sends `file` from `from` to a sink on `to` (its address, `port`); MB/s at the sink. */
export async function tcpThroughWan(
  from: NetnsHost,
  to: NetnsHost,
  port: number,
  src: { file: string; sha256: string; size: number },
): Promise<number> {
  const sink = to.exec([process.execPath, SELF, 'sink', to.addr, String(port)]);
  const ready = firstLine(sink, 'TCP sink');
  if ((await ready) !== 'listening') throw new Error('TCP sink did not start');
  const report = firstLine(sink, 'TCP sink');
  const sender = from.exec([process.execPath, SELF, 'send', to.addr, String(port), src.file]);
  const sent = new Promise<number | null>((r) => sender.once('exit', r));
  const r = JSON.parse(await report) as SinkReport;
  if ((await sent) !== 0) throw new Error('TCP sender failed');
  if (r.bytes !== src.size || r.sha256 !== src.sha256) {
    throw new Error(`TCP baseline: got ${r.bytes} bytes, SHA-256 ${r.sha256}; sent ${src.sha256}`);
  }
  return r.bytes / r.ms / 1000;
}

function runSink(host: string, port: number): void {
  const server = net.createServer((socket) => {
    const start = performance.now();
    const hash = crypto.createHash('sha256');
    let bytes = 0;
    socket.on('data', (d: Buffer) => {
      bytes += d.length;
      hash.update(d);
    });
    socket.on('end', () => {
      const report: SinkReport = {
        bytes,
        ms: performance.now() - start,
        sha256: hash.digest('hex'),
      };
      process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0));
    });
  });
  server.listen(port, host, () => process.stdout.write('listening\n'));
}

function runSender(host: string, port: number, file: string): void {
  const socket = net.connect(port, host, () => {
    fs.createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(socket);
  });
  socket.on('close', (hadError) => process.exit(hadError ? 1 : 0));
}

const [role, host, port, file] = process.argv.slice(2);
if (role === 'sink') runSink(host!, Number(port));
else if (role === 'send') runSender(host!, Number(port), file!);
