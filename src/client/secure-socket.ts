/**
 * Opens the TLS 1.3 control socket and checks the server's certificate against the pinned
 * fingerprint before a single byte (a password, say) is sent. The certificates are
 * self-signed, so the CA check is off and the pin is the whole check.
 */
import net from 'node:net';
import tls from 'node:tls';
import { changedServerText, newServerText, type ServerTrust } from './known-servers.js';

/** How the control connection is secured. */
export type ControlSecurity =
  | {
      tls: false;
      /**
       * Ping right after connecting and fail with a clear text if the server hangs up without
       * answering, as a TLS server does to plain bytes (`--insecure-plain` against a TLS server).
       */
      probe?: boolean;
    }
  | {
      tls: true;
      trust: ServerTrust;
      /** Told the text shown when a server is pinned for the first time. */
      onNewServer?: (text: string) => void;
      /** How long the handshake may take; default 10 s. */
      handshakeMs?: number;
    };

/** Plain TCP: tests of the server protocol and `--insecure-plain`. */
export const PLAIN: ControlSecurity = { tls: false };

/** A failure with a stable code and the text a user reads. */
export class SecureSocketError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'SecureSocketError';
  }
}

export function openSecureSocket(
  host: string,
  port: number,
  security: Extract<ControlSecurity, { tls: true }>,
): Promise<tls.TLSSocket> {
  const server = `${host}:${port}`;
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port,
      minVersion: 'TLSv1.3',
      rejectUnauthorized: false,
      ...(net.isIP(host) ? {} : { servername: host }),
    });
    socket.setNoDelay(true);
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      reject(error);
    };
    // A plain server never answers a ClientHello; without this the client would wait forever.
    socket.setTimeout(security.handshakeMs ?? 10_000, () =>
      fail(
        new SecureSocketError(
          `No TLS handshake from ${server}. If the server runs with --insecure-plain, start the client with --insecure-plain too.`,
          'ETLSTIMEOUT',
        ),
      ),
    );
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const wrongProtocol = /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG/.test(err.code ?? '');
      const text = wrongProtocol
        ? `the server does not speak TLS (started with --insecure-plain? then add --insecure-plain here too)`
        : err.message;
      fail(Object.assign(new SecureSocketError(text, err.code ?? 'ETLS'), { system: err }));
    });
    socket.once('close', () =>
      fail(
        new SecureSocketError('the server closed the connection during the TLS handshake', 'ETLS'),
      ),
    );
    socket.once('secureConnect', () => {
      socket.setTimeout(0);
      const cert = socket.getPeerX509Certificate();
      if (!cert) return fail(new SecureSocketError('the server sent no certificate', 'ETLS'));
      const presented = `SHA256 ${cert.fingerprint256}`;
      security.trust.check(server, presented).then(
        (decision) => {
          if (settled) return;
          if (decision.kind === 'changed') {
            const text = changedServerText(
              server,
              decision.pinned,
              presented,
              security.trust.location,
            );
            return fail(new SecureSocketError(text, 'ESERVERCHANGED'));
          }
          if (decision.kind === 'new') {
            security.onNewServer?.(newServerText(server, presented, security.trust.location));
          }
          settled = true;
          socket.removeAllListeners('error');
          socket.removeAllListeners('close');
          resolve(socket);
        },
        (err: Error) =>
          fail(
            new SecureSocketError(
              `cannot read ${security.trust.location}: ${err.message}`,
              'EKNOWN',
            ),
          ),
      );
    });
  });
}
