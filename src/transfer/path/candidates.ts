/**
 * Host candidates: the addresses of this machine's interfaces a peer might reach the engine's
 * UDP port at. Loopback only when the server itself is on loopback (both peers are then on this
 * machine); link-local addresses never (they need a scope the peer cannot name).
 */
import os from 'node:os';
import { type Candidate, MAX_CANDIDATES } from '../../protocol/control.js';
import { plainAddress } from '../net/udp-socket.js';

export interface GatherOptions {
  /** Include 127.0.0.1 and ::1. */
  loopback: boolean;
  /** The socket can reach IPv6 peers. */
  ipv6: boolean;
  /** Interfaces as os.networkInterfaces() returns them (tests pass their own). */
  interfaces?: NodeJS.Dict<os.NetworkInterfaceInfo[]>;
}

export function hostCandidates(port: number, options: GatherOptions): Candidate[] {
  const out: Candidate[] = [];
  const seen = new Set<string>();
  const all = options.interfaces ?? os.networkInterfaces();
  for (const infos of Object.values(all)) {
    for (const info of infos ?? []) {
      if (info.internal && !options.loopback) continue;
      if (info.family === 'IPv6' && (!options.ipv6 || isLinkLocal6(info.address))) continue;
      if (info.family === 'IPv4' && info.address.startsWith('169.254.')) continue;
      if (seen.has(info.address)) continue;
      seen.add(info.address);
      out.push({ address: info.address, port, kind: 'host' });
    }
  }
  // IPv6 first (as RFC 8421 asks of ICE): probes leave in this order, so where both families
  // work the IPv6 pair usually answers first and carries the transfer, with no NAT in its way.
  out.sort((a, b) => Number(b.address.includes(':')) - Number(a.address.includes(':')));
  return out.slice(0, MAX_CANDIDATES - 1);
}

function isLinkLocal6(address: string): boolean {
  return /^fe[89ab]/i.test(address);
}

/** Candidates without repeats (same address and port), at most MAX_CANDIDATES. */
export function mergeCandidates(...lists: Candidate[][]): Candidate[] {
  const out: Candidate[] = [];
  const seen = new Set<string>();
  for (const c of lists.flat()) {
    const key = `${plainAddress(c.address)}|${c.port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ...c, address: plainAddress(c.address) });
  }
  return out.slice(0, MAX_CANDIDATES);
}
