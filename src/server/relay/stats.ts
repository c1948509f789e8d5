/**
 * Counters of the server's UDP side, one plain object tests read directly. Every datagram
 * that is not answered or forwarded is counted under the reason it was dropped.
 */

/** Why a datagram meant for the relay (ALLOC or a transfer datagram) was dropped. */
export type RelayDrop =
  /** ALLOC signed by a session id the server does not know. */
  | 'unknownSession'
  /** ALLOC whose HMAC does not verify with its session's key. */
  | 'badMac'
  /** A transfer datagram too short to hold its header and AEAD tag, or a bad direction byte. */
  | 'malformed'
  /** No relayed transfer has this tag (never relayed, or closed). */
  | 'unknownTag'
  /** ALLOC from a session that is not that role's party of the transfer. */
  | 'notParty'
  /** A transfer datagram from an address that is not the allocated endpoint of its direction. */
  | 'wrongSource'
  /** The other side has not allocated yet: nowhere to send it. */
  | 'noPeer'
  /** The relay is off (`--no-relay`). */
  | 'disabled';

export interface UdpStats {
  /** Every datagram the UDP socket received. */
  received: number;
  /** Neither a path packet (0x50) nor a transfer datagram (0x54). */
  garbage: number;
  binding: {
    /** BIND_OK sent. */
    answered: number;
    badMac: number;
    unknownSession: number;
    /** Path packets of a wrong length, version or type (PROBE and answers have no business here). */
    malformed: number;
  };
  relay: {
    /** ALLOC_OK sent. */
    allocated: number;
    forwardedDatagrams: number;
    forwardedBytes: number;
    /** Dropped by the per-user or total byte-rate cap. */
    capped: number;
    dropped: Record<RelayDrop, number>;
  };
}

export function newUdpStats(): UdpStats {
  return {
    received: 0,
    garbage: 0,
    binding: { answered: 0, badMac: 0, unknownSession: 0, malformed: 0 },
    relay: {
      allocated: 0,
      forwardedDatagrams: 0,
      forwardedBytes: 0,
      capped: 0,
      dropped: {
        unknownSession: 0,
        badMac: 0,
        malformed: 0,
        unknownTag: 0,
        notParty: 0,
        wrongSource: 0,
        noPeer: 0,
        disabled: 0,
      },
    },
  };
}
