/**
 * The same-crypto baseline: one file over node:tls, TLS 1.3 with TLS_AES_256_GCM_SHA384 only
 * (Tessenger seals with AES-256-GCM too), sender to receiver, the receiver hashing the stream.
 *
 * Framing: the sender writes the length as 8 bytes big-endian, then the file; after that many
 * bytes the receiver answers with the SHA-256 in hex and a newline. The sender's clock runs
 * from connect() to that answer, so a figure includes the handshake and the verification, as
 * Tessenger's does (send() to the DONE that follows the receiver's hash check).
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';

/** PEM files of a throwaway self-signed certificate. */
export interface TlsFiles {
  keyFile: string;
  certFile: string;
}

const NAME = 'tessenger-bench';
const SUITE = 'TLS_AES_256_GCM_SHA384';
const common = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphersuites: SUITE } as const;

/** Makes a P-256 certificate for NAME in `dir` with openssl (valid one day). */
export async function makeTlsFiles(dir: string): Promise<TlsFiles> {
  const keyFile = path.join(dir, 'tls-key.pem');
  const certFile = path.join(dir, 'tls-cert.pem');
  await promisify(execFile)('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', `/CN=${NAME}`],
    ...['-addext', `subjectAltName=DNS:${NAME}`],
  ]);
  return { keyFile, certFile };
}

/** A listening receiver for one stream. */
export interface TlsSink {
  port: number;
  /** Bytes of the file received so far (for a run stopped at its time cap). */
  bytes(): number;
  /** The receiver's digest of the whole file, once the last byte is in. */
  received: Promise<{ bytes: number; sha256: string }>;
  close(): void;
}

export async function listenTlsSink(host: string, files: TlsFiles): Promise<TlsSink> {
  const server = tls.createServer({
    ...common,
    key: fs.readFileSync(files.keyFile),
    cert: fs.readFileSync(files.certFile),
  });
  let bytes = 0;
  const received = new Promise<{ bytes: number; sha256: string }>((resolve, reject) => {
    server.once('secureConnection', (conn) => {
      const hash = crypto.createHash('sha256');
      let header = Buffer.alloc(0);
      let expected = -1;
      conn.on('data', (d: Buffer) => {
        let data = d;
        if (expected < 0) {
          header = Buffer.concat([header, data]);
          if (header.length < 8) return;
          expected = Number(header.readBigUInt64BE(0));
          data = header.subarray(8);
        }
        bytes += data.length;
        hash.update(data);
        if (bytes >= expected) {
          const sha256 = hash.digest('hex');
          conn.end(`${sha256}\n`);
          resolve({ bytes, sha256 });
        }
      });
      conn.on('error', reject);
    });
  });
  received.catch(() => {});
  await new Promise<void>((r) => server.listen(0, host, r));
  return {
    port: (server.address() as { port: number }).port,
    bytes: () => bytes,
    received,
    close: () => server.close(),
  };
}

/** Sends `file` to a sink and resolves with the time until its digest came back. */
export async function sendOverTls(
  host: string,
  port: number,
  file: string,
  files: Pick<TlsFiles, 'certFile'>,
): Promise<{ ms: number; sha256: string; cipher: string }> {
  const size = fs.statSync(file).size;
  const ca = fs.readFileSync(files.certFile);
  const start = performance.now();
  const conn = tls.connect({ ...common, host, port, ca, servername: NAME });
  try {
    await new Promise<void>((resolve, reject) => {
      conn.once('secureConnect', resolve);
      conn.once('error', reject);
    });
    const header = Buffer.alloc(8);
    header.writeBigUInt64BE(BigInt(size));
    conn.write(header);
    fs.createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(conn, { end: false });
    const answer = await new Promise<string>((resolve, reject) => {
      let text = '';
      conn.setEncoding('utf8');
      conn.on('data', (d: string) => {
        text += d;
        if (text.includes('\n')) resolve(text.trim());
      });
      conn.once('error', reject);
      conn.once('end', () => reject(new Error('TLS receiver closed without a digest')));
    });
    return { ms: performance.now() - start, sha256: answer, cipher: conn.getCipher().name };
  } finally {
    conn.destroy();
  }
}
