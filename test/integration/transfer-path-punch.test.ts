/**
 * Hole punching between two real engines on loopback: both sides probe each other's
 * candidates, the presenter nominates the first that answers, the audience takes the address
 * the nomination came from; foreign probes are dropped and counted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Candidate } from '../../src/protocol/control.js';
import { createTransferEngine, type UdpTransferEngine } from '../../src/transfer/engine.js';
import { PathPort } from '../../src/transfer/path/path-port.js';
import { Punch, type PunchOptions } from '../../src/transfer/path/punch.js';
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

const host = (address: string, port: number): Candidate => ({ address, port, kind: 'host' });

type Side = Awaited<ReturnType<typeof side>>;
type Overrides = (other: Side) => Partial<PunchOptions>;

/**
 * Two engines, each with a punch of transfer `id` towards the other at `address` (presenter
 * a, audience b), keys derived as the clients derive them; `a`/`b` override options per side.
 */
async function punchPair(
  id: string,
  {
    address = '127.0.0.1',
    deadlineMs = 3000,
    a: forA,
    b: forB,
  }: {
    address?: string;
    deadlineMs?: number;
    a?: Overrides;
    b?: Overrides;
  } = {},
) {
  const a = await side();
  const b = await side();
  const ka = a.engine.createKeyPair();
  const kb = b.engine.createKeyPair();
  const tag = transferTag(id);
  const pa = new Punch(a.port, {
    role: 0,
    tag,
    key: derivePathKey(ka, kb.publicKey, id, 'send') as Buffer,
    remote: [host(address, b.engine.port)],
    deadlineMs,
    ...forA?.(b),
  });
  const pb = new Punch(b.port, {
    role: 1,
    tag,
    key: derivePathKey(kb, ka.publicKey, id, 'receive') as Buffer,
    remote: [host(address, a.engine.port)],
    deadlineMs,
    ...forB?.(a),
  });
  punches.push(pa, pb);
  return { a, b, pa, pb };
}

describe('punch', () => {
  it('finds the path both ways over IPv4 and nominates it on both sides', async () => {
    const nominated: unknown[] = [];
    const { a, b, pa, pb } = await punchPair('punch-v4', {
      // One candidate that leads nowhere, as a real list has.
      a: (other) => ({ remote: [host('127.0.0.9', 9), host('127.0.0.1', other.engine.port)] }),
      b: () => ({ onNominated: (peer) => nominated.push(peer) }),
    });
    const [ra, rb] = await Promise.all([pa.result, pb.result]);
    expect(ra?.peer).toEqual({ address: '127.0.0.1', port: b.engine.port });
    expect(ra?.remoteIsHost).toBe(true);
    expect(rb?.peer).toEqual({ address: '127.0.0.1', port: a.engine.port });
    expect(nominated).toEqual([rb?.peer]);
    expect(pa.stats.answers).toBeGreaterThan(0);
  });

  it('finds an IPv6 path when only ::1 is offered', async () => {
    const { a, b, pa, pb } = await punchPair('punch-v6', { address: '::1' });
    expect(a.engine.path.ipv6).toBe(true);
    const [ra, rb] = await Promise.all([pa.result, pb.result]);
    expect(ra?.peer).toEqual({ address: '::1', port: b.engine.port });
    expect(rb?.peer).toEqual({ address: '::1', port: a.engine.port });
  });

  it('keep-alives go on after the punch and are answered, until close()', async () => {
    const keepAlive = () => ({ keepAliveMs: 30 });
    const { a, b, pa, pb } = await punchPair('punch-keepalive', { a: keepAlive, b: keepAlive });
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
    const {
      a,
      pa: honest,
      pb: forger,
    } = await punchPair('punch-foreign', {
      deadlineMs: 400,
      // The other side probes with a key of its own making: never answered.
      b: () => ({ key: Buffer.alloc(32, 1) }),
    });
    expect(await honest.result).toBeNull();
    expect(await forger.result).toBeNull();
    expect(honest.stats.bad).toBeGreaterThan(0);
    expect(honest.stats.answers).toBe(0);
    expect(forger.stats.answers).toBe(0);
    expect(a.engine.stats.malformed).toBeGreaterThan(0);
  });
});
