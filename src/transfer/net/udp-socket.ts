/**
 * The seam between the engine and the network: the narrowest datagram socket the engine
 * needs, so a test can put a fake or an impairment proxy in between. `bindUdpSocket` is the
 * node:dgram adapter.
 */
import dgram from 'node:dgram';
import net from 'node:net';

export interface Peer {
  address: string;
  port: number;
}

/**
 * One spelling of an IPv4 address as the engine compares them: a v4-mapped `::ffff:` prefix
 * dropped, `localhost` as 127.0.0.1. Runs per datagram: no regular expression.
 */
export function canonicalAddress(address: string): string {
  const a = plainAddress(address);
  return a === 'localhost' ? '127.0.0.1' : a;
}

/** v4-mapped `::ffff:a.b.c.d` as plain IPv4, so both stacks name a peer alike. */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export interface DatagramSocket {
  /** Local port the socket is bound to. */
  readonly port: number;
  /** Whether IPv6 peers can be reached (a dual-stack or IPv6 socket); absent means no. */
  readonly ipv6?: boolean;
  /** Fire and forget; the parts are sent as one datagram. */
  send(parts: Buffer[], port: number, address: string): void;
  /** The single receiver of incoming datagrams. */
  onMessage(handler: (datagram: Buffer, from: Peer) => void): void;
  close(): Promise<void>;
}

export interface SocketStats {
  sendErrors: number;
}

/** Socket buffers the engine asks for; Linux caps them at net.core.*mem_max (4 MiB here). */
export const SOCKET_BUFFER_BYTES = 8 * 1024 * 1024;

/**
 * Binds the socket; rejects with an Error naming the port when the bind fails. With no host it
 * is dual-stack (`::`, IPv4 arriving v4-mapped) where the machine has IPv6, IPv4 only where
 * it has not; an explicit host binds that address's family only.
 */
export async function bindUdpSocket(options: {
  port: number;
  host?: string;
  stats?: SocketStats;
}): Promise<DatagramSocket> {
  if (options.host === undefined) {
    try {
      return await bindOne({ ...options, host: '::' }, 'udp6');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES') throw error;
      return bindOne({ ...options, host: '0.0.0.0' }, 'udp4');
    }
  }
  return bindOne({ ...options, host: options.host }, net.isIPv6(options.host) ? 'udp6' : 'udp4');
}

async function bindOne(
  options: { port: number; host: string; stats?: SocketStats },
  type: 'udp4' | 'udp6',
): Promise<DatagramSocket> {
  const { host } = options;
  const socket = dgram.createSocket(type === 'udp6' ? { type, ipv6Only: false } : { type });
  const dual = type === 'udp6';
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      socket.close();
      const why = error.code === 'EADDRINUSE' ? 'is already in use' : `cannot be bound`;
      const wrapped = new Error(
        `UDP port ${options.port} on ${host} ${why} (${error.code ?? error.message})`,
        { cause: error },
      );
      Object.assign(wrapped, { code: error.code });
      reject(wrapped);
    };
    socket.once('error', onError);
    socket.bind(options.port, host, () => {
      socket.off('error', onError);
      resolve();
    });
  });
  for (const set of [socket.setRecvBufferSize, socket.setSendBufferSize]) {
    try {
      set.call(socket, SOCKET_BUFFER_BYTES);
    } catch {
      // The kernel may refuse the size; it then keeps its own maximum, which still works.
    }
  }
  // Datagram errors are per send; the socket itself stays usable, so only count them.
  socket.on('error', () => {
    if (options.stats) options.stats.sendErrors++;
  });
  const port = socket.address().port;
  let closed = false;
  let pending = 0;
  const onSent = (error: Error | null): void => {
    pending--;
    if (error && options.stats) options.stats.sendErrors++;
  };
  // A dual-stack socket reaches IPv4 peers through their v4-mapped address. A transfer sends
  // to one address for its whole life, so the last spelling is kept rather than made per datagram.
  let lastAddress = '';
  let lastTo = '';
  const target = (address: string): string => {
    if (address !== lastAddress) {
      lastAddress = address;
      lastTo =
        dual && address.includes('.') && !address.includes(':') ? `::ffff:${address}` : address;
    }
    return lastTo;
  };
  return {
    port,
    ipv6: dual,
    send(parts, toPort, address) {
      if (closed) return;
      pending++;
      socket.send(parts, toPort, target(address), onSent);
    },
    onMessage(handler) {
      socket.on('message', (msg, rinfo) =>
        handler(msg, {
          address: dual ? plainAddress(rinfo.address) : rinfo.address,
          port: rinfo.port,
        }),
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      // Let queued datagrams (a last DONE or ABORT) leave before the socket goes; closing
      // would cancel them. Bounded, so a wedged send cannot hold close() up.
      const until = Date.now() + 200;
      while (pending > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 1));
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
