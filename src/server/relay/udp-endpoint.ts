/**
 * The server's UDP socket: binding requests and the relay share it. Bound on the TCP
 * listener's host; `::` is dual-stack (IPv4 peers then appear as `::ffff:a.b.c.d`, which is
 * kept as the address to send back to and written as plain IPv4 when reported).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Mapped } from '../../transfer/path/packet.js';
import type { Logger } from '../../util/logger.js';
import { startError } from '../server-error.js';
import type { DatagramOut } from './binding.js';

/** Socket buffers: a relayed transfer runs at full rate through this one socket. */
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

/** A start error of the UDP side; `udpPort` tells the CLI which port to name. */
export type UdpStartError = NodeJS.ErrnoException & { udpPort: number };

/** The socket type for a listening host: dual-stack for `::`, else by the host's family. */
export function socketOptions(host: string): dgram.SocketOptions {
  if (host === '::') return { type: 'udp6', ipv6Only: false };
  return { type: net.isIPv6(host) ? 'udp6' : 'udp4' };
}

/** A bound UDP socket that hands every datagram to `onMessage`. */
export class UdpEndpoint implements DatagramOut {
  private closed = false;

  private constructor(
    private readonly socket: dgram.Socket,
    readonly port: number,
  ) {}

  /** Binds `host:port`, or rejects with a start error naming the UDP port. */
  static bind(
    host: string,
    port: number,
    onMessage: (datagram: Buffer, source: Mapped) => void,
    logger: Logger,
  ): Promise<UdpEndpoint> {
    const socket = dgram.createSocket(socketOptions(host));
    return new Promise((resolve, reject) => {
      const onError = (cause: Error): void => {
        socket.close();
        const error = startError(`Cannot bind UDP port ${port} on ${host}`, cause) as UdpStartError;
        error.udpPort = port;
        reject(error);
      };
      socket.once('error', onError);
      socket.bind(port, host, () => {
        socket.off('error', onError);
        // Send failures (an unreachable peer) must not take the server down.
        socket.on('error', (err) => logger.debug('udp error', { error: err.message }));
        try {
          socket.setRecvBufferSize(SOCKET_BUFFER_BYTES);
          socket.setSendBufferSize(SOCKET_BUFFER_BYTES);
        } catch {
          // The kernel's cap applies; smaller buffers only cost throughput.
        }
        socket.on('message', (datagram, rinfo) =>
          onMessage(datagram, { address: rinfo.address, port: rinfo.port }),
        );
        resolve(new UdpEndpoint(socket, socket.address().port));
      });
    });
  }

  send(datagram: Buffer, port: number, address: string): void {
    if (!this.closed) this.socket.send(datagram, port, address);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
