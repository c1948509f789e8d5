/**
 * The server's TLS identity: a self-signed certificate made on first start and kept in the
 * data folder, so its fingerprint stays the same across restarts and clients can pin it.
 *
 * node:crypto cannot write X.509 certificates; the `openssl` command line tool can, is on
 * every Debian machine, and needs no npm dependency. An ECDSA P-256 key takes milliseconds.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm } from 'node:fs/promises';
import type net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { startError } from './server-error.js';

/** What the server needs to speak TLS, and what it prints for users to compare. */
export interface TlsIdentity {
  readonly key: string;
  readonly cert: string;
  /** `SHA256 AB:CD:...`, as clients show it. */
  readonly fingerprint: string;
  /** True when the certificate was made by this start. */
  readonly created: boolean;
}

export const KEY_FILE = 'tls-key.pem';
export const CERT_FILE = 'tls-cert.pem';

/** `SHA256 AB:CD:...` of a PEM certificate. */
export function certificateFingerprint(certPem: string): string {
  return `SHA256 ${new X509Certificate(certPem).fingerprint256}`;
}

/** Loads the certificate from dataDir, creating it (with openssl) when absent. */
export async function loadOrCreateIdentity(dataDir: string): Promise<TlsIdentity> {
  const keyPath = path.join(dataDir, KEY_FILE);
  const certPath = path.join(dataDir, CERT_FILE);
  const existing = await readPair(keyPath, certPath);
  if (existing)
    return { ...existing, fingerprint: certificateFingerprint(existing.cert), created: false };
  await mkdir(dataDir, { recursive: true });
  // Written under temporary names and renamed, so a crash never leaves half a key pair.
  const tmpKey = `${keyPath}.${process.pid}.tmp`;
  const tmpCert = `${certPath}.${process.pid}.tmp`;
  try {
    await runOpenssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      tmpKey,
      '-out',
      tmpCert,
      '-days',
      '3650',
      '-sha256',
      '-subj',
      '/CN=tessenger',
    ]);
    await chmod(tmpKey, 0o600);
    await rename(tmpKey, keyPath);
    await rename(tmpCert, certPath);
  } catch (err) {
    await rm(tmpKey, { force: true });
    await rm(tmpCert, { force: true });
    throw err;
  }
  const made = await readPair(keyPath, certPath);
  if (!made) throw new Error(`Cannot read the new certificate in ${dataDir}`);
  return { ...made, fingerprint: certificateFingerprint(made.cert), created: true };
}

async function readPair(
  keyPath: string,
  certPath: string,
): Promise<{ key: string; cert: string } | null> {
  try {
    return { key: await readFile(keyPath, 'utf8'), cert: await readFile(certPath, 'utf8') };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw startError(`Cannot read the server certificate ${certPath}`, err);
  }
}

function runOpenssl(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { timeout: 30_000 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      const why = missing
        ? 'the openssl command is not installed (apt-get install openssl), or start with --insecure-plain'
        : String(stderr).trim() || err.message;
      // Not startError: the callers read ENOENT as a missing credentials file.
      reject(
        Object.assign(new Error(`Cannot create the server certificate: ${why}`), {
          code: 'ETLSCERT',
        }),
      );
    });
  });
}

/** Wraps accepted sockets in TLS 1.3 with this identity. */
export function tlsWrapper(identity: TlsIdentity): (socket: net.Socket) => tls.TLSSocket {
  const secureContext = tls.createSecureContext({
    key: identity.key,
    cert: identity.cert,
    minVersion: 'TLSv1.3',
  });
  // Wrapping the raw socket (rather than a tls.Server) lets the connection caps and the
  // login time limit cover the handshake too: a client stalling mid-handshake is cut the same way.
  return (socket) => new tls.TLSSocket(socket, { isServer: true, secureContext });
}

/** What a TLS client is told by a server started with --insecure-plain. */
export const PLAIN_SERVER_TEXT =
  'This server runs with --insecure-plain (plain TCP, no TLS). Start the client with --insecure-plain too.';

/** The first bytes of a TLS ClientHello (handshake record, version 3.x) on a plain socket. */
export function isTlsHello(chunk: Buffer, socket: net.Socket): boolean {
  return chunk[0] === 0x16 && chunk[1] === 0x03 && !(socket instanceof tls.TLSSocket);
}
