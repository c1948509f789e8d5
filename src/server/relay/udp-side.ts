/**
 * The server's UDP side: session grants, binding answers and the relay behind one socket.
 * Dispatch is by the first byte: 0x50 path packets (BIND, ALLOC), 0x54 transfer datagrams
 * (relayed), anything else garbage. Nothing is ever answered that is not signed by a
 * session's key, and every answer is smaller than its request.
 */
import type { UdpGrant } from '../../protocol/control.js';
import { encodePath, type Mapped, PATH_MAGIC, PathType } from '../../transfer/path/packet.js';
import { MAGIC as TRANSFER_MAGIC } from '../../transfer/wire/datagram.js';
import type { TimeSource } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { TimerGroup } from '../../util/timer-group.js';
import type { ClientSession } from '../client-session.js';
import { answerBind, type DatagramOut, UdpSessions } from './binding.js';
import { type RelayCapOptions, RelayCaps } from './caps.js';
import { Relay, type RelayedTransfer } from './relay.js';
import { newUdpStats, type UdpStats } from './stats.js';
import { UdpEndpoint } from './udp-endpoint.js';

export interface UdpSideOptions {
  /** Relay transfers that find no direct path (`--no-relay` turns it off). */
  readonly relay: boolean;
  readonly caps: RelayCapOptions;
  readonly clock: TimeSource;
  readonly timers: TimerGroup;
  readonly logger: Logger;
}

/** Binding and relay on one UDP socket, for the sessions of one server. */
export class UdpSide {
  readonly stats: UdpStats = newUdpStats();
  readonly sessions = new UdpSessions();
  readonly relay: Relay;
  readonly relayEnabled: boolean;
  private endpoint: UdpEndpoint | null = null;
  /** Sends through the socket once bound; the relay and binding hold this, not the socket. */
  private readonly out: DatagramOut = {
    send: (datagram, port, address) => this.endpoint?.send(datagram, port, address),
  };

  constructor(private readonly options: UdpSideOptions) {
    this.relayEnabled = options.relay;
    this.relay = new Relay({
      clock: options.clock,
      timers: options.timers,
      logger: options.logger,
      caps: new RelayCaps(options.caps, options.clock),
      stats: this.stats.relay,
      out: this.out,
    });
  }

  /** Binds the socket; rejects with a start error naming the port. */
  async bind(host: string, port: number): Promise<void> {
    this.endpoint = await UdpEndpoint.bind(
      host,
      port,
      (datagram, source) => this.receive(datagram, source),
      this.options.logger,
    );
  }

  /** The bound port (0 before bind). */
  get port(): number {
    return this.endpoint?.port ?? 0;
  }

  /** The session's UDP credentials, for its login reply. */
  grant(session: ClientSession): UdpGrant {
    const { id, key } = this.sessions.register(session);
    return {
      port: this.port,
      session: id.toString('hex'),
      key: key.toString('base64'),
      relay: this.relayEnabled,
    };
  }

  /**
   * Starts relaying an accepted transfer. Its allocations end through `transferForgotten`
   * (the broker's hook), so a session's end closes them too.
   */
  startRelay(transfer: RelayedTransfer): boolean {
    return this.relay.open(transfer);
  }

  transferForgotten(transferId: string, reason: string): void {
    this.relay.close(transferId, reason);
  }

  sessionEnded(session: ClientSession): void {
    this.sessions.unregister(session);
  }

  /** One datagram from `source`: answered, forwarded, or dropped and counted. */
  receive(datagram: Buffer, source: Mapped): void {
    const stats = this.stats;
    stats.received += 1;
    const magic = datagram[0];
    if (magic === TRANSFER_MAGIC) {
      if (this.relayEnabled) this.relay.forward(datagram, source);
      else stats.relay.dropped.disabled += 1;
      return;
    }
    if (magic !== PATH_MAGIC) {
      stats.garbage += 1;
      return;
    }
    if (datagram[2] === PathType.Alloc) this.allocate(datagram, source);
    else answerBind(this.sessions, stats.binding, this.out, datagram, source);
  }

  private allocate(datagram: Buffer, source: Mapped): void {
    const dropped = this.stats.relay.dropped;
    if (!this.relayEnabled) {
      dropped.disabled += 1;
      return;
    }
    const verified = this.sessions.verify(datagram, PathType.Alloc);
    if (!verified.ok) {
      dropped[verified.reason] += 1;
      return;
    }
    const { packet, owner } = verified;
    if (!this.relay.allocate(owner.session, packet.tag, packet.role, source)) return;
    const answer = encodePath(
      { type: PathType.AllocOk, keyId: owner.id, txn: packet.txn, tag: packet.tag },
      owner.key,
    );
    this.out.send(answer, source.port, source.address);
  }

  /** Ends every allocation and closes the socket. */
  async close(): Promise<void> {
    this.relay.closeAll('server shutting down');
    await this.endpoint?.close();
  }
}
