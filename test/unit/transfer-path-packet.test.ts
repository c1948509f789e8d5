/** Path packets: the documented example bytes, round trips, and what garbage gets. */
import { describe, expect, it } from 'vitest';
import {
  decodePath,
  encodePath,
  isPathPacket,
  MAC_BYTES,
  PathFlag,
  PathType,
  peekPath,
  REQUEST_BYTES,
} from '../../src/transfer/path/packet.js';

const key = Buffer.alloc(32, 7);
const keyId = Buffer.from('0011223344556677', 'hex');
const txn = Buffer.from('000102030405060708090a0b', 'hex');
const tag = Buffer.from('9f86d081884c7d65', 'hex');

describe('path packets', () => {
  it('encodes the BIND of the header comment byte for byte', () => {
    const bytes = encodePath({ type: PathType.Bind, keyId, txn }, key);
    expect(bytes.length).toBe(REQUEST_BYTES);
    expect(bytes.subarray(0, 24).toString('hex')).toBe(
      '500101000011223344556677000102030405060708090a0b',
    );
    expect(bytes.subarray(24, 48).every((b) => b === 0)).toBe(true);
    expect(isPathPacket(bytes)).toBe(true);
  });

  it('round-trips every type, IPv4 and IPv6 addresses included', () => {
    const packets = [
      { type: PathType.Bind, keyId, txn },
      { type: PathType.BindOk, keyId, txn, mapped: { address: '100.64.1.2', port: 40000 } },
      { type: PathType.BindOk, keyId, txn, mapped: { address: 'fd00:1::2', port: 1 } },
      { type: PathType.Probe, keyId: tag, txn, flags: PathFlag.Nominate, role: 1 },
      {
        type: PathType.ProbeOk,
        keyId: tag,
        txn,
        flags: 0,
        role: 0,
        mapped: { address: '::1', port: 65535 },
      },
      { type: PathType.Alloc, keyId, txn, tag, role: 1 },
      { type: PathType.AllocOk, keyId, txn, tag },
    ] as const;
    for (const packet of packets) {
      const decoded = decodePath(encodePath(packet, key), key);
      expect(decoded).toEqual({ ok: true, value: packet });
    }
  });

  it('v4-mapped addresses come back as plain IPv4', () => {
    const bytes = encodePath(
      { type: PathType.BindOk, keyId, txn, mapped: { address: '::ffff:10.0.0.1', port: 9 } },
      key,
    );
    const decoded = decodePath(bytes, key);
    expect(decoded.ok && decoded.value.type === PathType.BindOk && decoded.value.mapped).toEqual({
      address: '10.0.0.1',
      port: 9,
    });
  });

  it('no answer is larger than a request', () => {
    const answers = [
      encodePath(
        { type: PathType.BindOk, keyId, txn, mapped: { address: 'fd00::1', port: 1 } },
        key,
      ),
      encodePath(
        {
          type: PathType.ProbeOk,
          keyId,
          txn,
          flags: 0,
          role: 0,
          mapped: { address: 'fd00::1', port: 1 },
        },
        key,
      ),
      encodePath({ type: PathType.AllocOk, keyId, txn, tag }, key),
    ];
    for (const a of answers) expect(a.length).toBeLessThan(REQUEST_BYTES);
  });

  it('a wrong key, a flipped bit, a wrong length or a bad header is refused, never thrown', () => {
    const good = encodePath({ type: PathType.Probe, keyId: tag, txn, flags: 0, role: 0 }, key);
    expect(decodePath(good, Buffer.alloc(32, 8))).toEqual({ ok: false, error: 'bad mac' });
    for (let i = 0; i < good.length; i++) {
      const bad = Buffer.from(good);
      bad[i] = bad[i]! ^ 0x01;
      expect(decodePath(bad, key).ok).toBe(false);
    }
    expect(decodePath(good.subarray(0, good.length - 1), key).ok).toBe(false);
    expect(decodePath(Buffer.concat([good, Buffer.alloc(1)]), key).ok).toBe(false);
    expect(peekPath(Buffer.alloc(3)).ok).toBe(false);
    const unknown = Buffer.from(good);
    unknown[2] = 99;
    expect(peekPath(unknown)).toEqual({ ok: false, error: 'unknown type 99' });
    expect(good.length - MAC_BYTES).toBe(48);
  });
});
