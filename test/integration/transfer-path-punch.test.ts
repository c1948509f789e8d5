/**
 * Hole punching between two real engines on loopback: both sides probe each other's
 * candidates, the presenter nominates the first that answers, the audience takes the address
 * the nomination came from; foreign probes are dropped and counted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Candidate } from '../../src/protocol/control.js';
import { createTransferEngine, type UdpTransferEngine } from '../../src/transfer/engine.js';
import { PathPort } from '../../src/transfer/path/path-port.js';
import { Punch } from '../../src/transfer/path/punch.js';
import { derivePathKey, transferTag } from '../../src/transfer/wire/crypto.js';

const engines: UdpTransferEngine[] = [];
const punches: Punch[] = [];
afterEach(async () => {
  for (const p of punches.splice(0)) p.close();
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

async function side(): Promise<{ engine: UdpTransferEngine; port: PathPort }> {
  const engine = await createTransferEngine({ port: 0 });
  engines.push(engine);
  return { engine, port: new PathPort(engine.path) };
}

function keysFor(a: UdpTransferEngine, b: UdpTransferEngine, id: string) {
  const ka = a.createKeyPair();
  const kb = b.createKeyPair();
  const keyA = derivePathKey(ka, kb.publicKey, id, 'send') as Buffer;
  const keyB = derivePathKey(kb, ka.publicKey, id, 'receive') as Buffer;
  return { keyA, keyB };
}

const host = (address: string, port: number): Candidate => ({ address, port, kind: 'host' });

describe('punch', () => {
  it('finds the path both ways over IPv4 and nominates it on both sides', async () => {
    const a = await side();
    const b = await side();
    const id = 'punch-v4';
    const { keyA, keyB } = keysFor(a.engine, b.engine, id);
    const tag = transferTag(id);
    const nominated: unknown[] = [];
    // One candidate of each that leads nowhere, as a real list has.
    const pa = new Punch(a.port, {
      role: 0,
      tag,
      key: keyA,
      remote: [host('127.0.0.9', 9), host('127.0.0.1', b.engine.port)],
      deadlineMs: 3000,
    });
    const pb = new Punch(b.port, {
      role: 1,
      tag,
      key: keyB,
      remote: [host('127.0.0.1', a.engine.port)],
      deadlineMs: 3000,
      onNominated: (peer) => nominated.push(peer),
    });
    punches.push(pa, pb);
    const [ra, rb] = await Promise.all([pa.result, pb.result]);
    expect(ra?.peer).toEqual({ address: '127.0.0.1', port: b.engine.port });
    expect(ra?.remoteIsHost).toBe(true);
    expect(rb?.peer).toEqual({ address: '127.0.0.1', port: a.engine.port });
    expect(nominated).toEqual([rb?.peer]);
    expect(pa.stats.answers).toBeGreaterThan(0);
  });

  it('finds an IPv6 path when only ::1 is offered', async () => {
    const a = await side();
    const b = await side();
    expect(a.engine.path.ipv6).toBe(true);
    const id = 'punch-v6';
    const { keyA, keyB } = keysFor(a.engine, b.engine, id);
    const tag = transferTag(id);
    const pa = new Punch(a.port, {
      role: 0,
      tag,
      key: keyA,
      remote: [host('::1', b.engine.port)],
      deadlineMs: 3000,
    });
    const pb = new Punch(b.port, {
      role: 1,
      tag,
      key: keyB,
      remote: [host('::1', a.engine.port)],
      deadlineMs: 3000,
    });
    punches.push(pa, pb);
    const [ra, rb] = await Promise.all([pa.result, pb.result]);
    expect(ra?.peer).toEqual({ address: '::1', port: b.engine.port });
    expect(rb?.peer).toEqual({ address: '::1', port: a.engine.port });
  });

  it('keep-alives go on after the punch and are answered, until close()', async () => {
    const a = await side();
    const b = await side();
    const id = 'punch-keepalive';
    const { keyA, keyB } = keysFor(a.engine, b.engine, id);
    const tag = transferTag(id);
    const options = { tag, deadlineMs: 3000, keepAliveMs: 30 };
    const pa = new Punch(a.port, {
      ...options,
      role: 0,
      key: keyA,
      remote: [host('127.0.0.1', b.engine.port)],
    });
    const pb = new Punch(b.port, {
      ...options,
      role: 1,
      key: keyB,
      remote: [host('127.0.0.1', a.engine.port)],
    });
    punches.push(pa, pb);
    await Promise.all([pa.result, pb.result]);
    pa.keepAlive();
    const answered = pa.stats.answers;
    while (pa.stats.keepalives < 3 || pa.stats.answers < answered + 3) {
      await new Promise((r) => setTimeout(r, 10));
    }
    pa.close();
    pb.close();
    expect(a.port.size + b.port.size).toBe(0);
  });

  it('a prober without the key gets no answer and is counted; the deadline ends the punch', async () => {
    const a = await side();
    const b = await side();
    const id = 'punch-foreign';
    const { keyA } = keysFor(a.engine, b.engine, id);
    const tag = transferTag(id);
    const honest = new Punch(a.port, {
      role: 0,
      tag,
      key: keyA,
      remote: [host('127.0.0.1', b.engine.port)],
      deadlineMs: 400,
    });
    // The other side probes with a key of its own making: never answered.
    const forger = new Punch(b.port, {
      role: 1,
      tag,
      key: Buffer.alloc(32, 1),
      remote: [host('127.0.0.1', a.engine.port)],
      deadlineMs: 400,
    });
    punches.push(honest, forger);
    expect(await honest.result).toBeNull();
    expect(await forger.result).toBeNull();
    expect(honest.stats.bad).toBeGreaterThan(0);
    expect(honest.stats.answers).toBe(0);
    expect(forger.stats.answers).toBe(0);
    expect(a.engine.stats.malformed).toBeGreaterThan(0);
  });
});
