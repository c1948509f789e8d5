/**
 * Per-transfer keys and per-datagram AEAD.
 * Ephemeral X25519 → shared secret → HKDF-SHA256 (salt: transfer id, info: label, direction
 * and both public keys) → one AES-256-GCM key per direction. The nonce is the direction and
 * the packet sequence number from the authenticated header, so it is never reused under a key.
 */
import crypto, { type KeyObject } from 'node:crypto';
import type { TransferKeyPair } from '../types.js';
import { Direction, HEADER_BYTES, TAG_BYTES } from './datagram.js';

/** DER prefix of an X25519 SubjectPublicKeyInfo; the raw key is the 32 bytes after it. */
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

export function createKeyPair(): TransferKeyPair {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('x25519');
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return { publicKey: spki.subarray(spki.length - 32).toString('base64'), privateKey };
}

/** The 8-byte routing tag of a transfer id (sent in clear, so it reveals nothing else). */
export function transferTag(transferId: string): Buffer {
  return crypto
    .createHash('sha256')
    .update('tessenger-transfer-tag\0')
    .update(transferId)
    .digest()
    .subarray(0, 8);
}

/**
 * Both keys as KeyObjects, made once per transfer: given a Buffer, every createCipheriv would
 * import the key again (about a quarter of the per-datagram cipher set-up in profiles).
 */
export interface DirectionKeys {
  /** Key for datagrams this side sends. */
  out: KeyObject;
  /** Key for datagrams this side accepts. */
  in: KeyObject;
}

/** The X25519 secret shared with the peer; an error string for a malformed or weak peer key. */
function sharedSecret(keys: TransferKeyPair, raw: Buffer): Buffer | string {
  if (raw.length !== 32) return 'peer public key must be 32 bytes of base64';
  if (!(keys.privateKey instanceof crypto.KeyObject)) return 'key pair was not made by the engine';
  let shared: Buffer;
  try {
    const publicKey = crypto.createPublicKey({
      key: Buffer.concat([X25519_SPKI_PREFIX, raw]),
      format: 'der',
      type: 'spki',
    });
    shared = crypto.diffieHellman({ privateKey: keys.privateKey as KeyObject, publicKey });
  } catch (error) {
    return `peer public key rejected: ${(error as Error).message}`;
  }
  // A low-order peer point yields an all-zero secret; refuse it rather than encrypt with it.
  if (shared.every((b) => b === 0)) return 'peer public key is a low-order point';
  return shared;
}

function hkdf(shared: Buffer, transferId: string, label: string, a: Buffer, b: Buffer): Buffer {
  return Buffer.from(
    crypto.hkdfSync(
      'sha256',
      shared,
      Buffer.from(transferId, 'utf8'),
      Buffer.concat([Buffer.from(`tessenger-transfer-v1 ${label}\0`), a, b]),
      32,
    ),
  );
}

/** Derives both direction keys; returns an error string for a malformed or weak peer key. */
export function deriveKeys(
  keys: TransferKeyPair,
  remotePublicKey: string,
  transferId: string,
  role: 'send' | 'receive',
): DirectionKeys | string {
  const raw = Buffer.from(remotePublicKey, 'base64');
  const shared = sharedSecret(keys, raw);
  if (typeof shared === 'string') return shared;
  const own = Buffer.from(keys.publicKey, 'base64');
  const [senderPub, receiverPub] = role === 'send' ? [own, raw] : [raw, own];
  const derive = (label: string): KeyObject =>
    crypto.createSecretKey(hkdf(shared, transferId, label, senderPub, receiverPub));
  const toReceiver = derive('s2r');
  const toSender = derive('r2s');
  return role === 'send' ? { out: toReceiver, in: toSender } : { out: toSender, in: toReceiver };
}

/**
 * The HMAC key of the path packets (probes) of one transfer: the same on both sides, known
 * to nobody else (the server only ever sees the public keys).
 */
export function derivePathKey(
  keys: TransferKeyPair,
  remotePublicKey: string,
  transferId: string,
  role: 'send' | 'receive',
): Buffer | string {
  const raw = Buffer.from(remotePublicKey, 'base64');
  const shared = sharedSecret(keys, raw);
  if (typeof shared === 'string') return shared;
  const own = Buffer.from(keys.publicKey, 'base64');
  const [senderPub, receiverPub] = role === 'send' ? [own, raw] : [raw, own];
  return hkdf(shared, transferId, 'path', senderPub, receiverPub);
}

function nonceOf(header: Buffer): Buffer {
  // direction (u32) || seq (u64): both read from the header, which GCM authenticates.
  const nonce = Buffer.alloc(12);
  nonce[3] = header[3]!;
  header.copy(nonce, 4, 12, HEADER_BYTES);
  return nonce;
}

/** Encrypts the plaintext parts; returns the datagram as parts for a gather send. */
export function seal(key: KeyObject, header: Buffer, parts: Buffer[]): Buffer[] {
  const cipher = crypto.createCipheriv('aes-256-gcm', key, nonceOf(header));
  cipher.setAAD(header);
  const out: Buffer[] = [header];
  for (const part of parts) {
    if (part.length > 0) out.push(cipher.update(part));
  }
  const last = cipher.final();
  if (last.length > 0) out.push(last);
  out.push(cipher.getAuthTag());
  return out;
}

/** Decrypts a whole datagram; null when it does not authenticate. Never throws. */
export function open(key: KeyObject, datagram: Buffer): Buffer | null {
  if (datagram.length < HEADER_BYTES + TAG_BYTES) return null;
  const header = datagram.subarray(0, HEADER_BYTES);
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonceOf(header));
    decipher.setAAD(header);
    decipher.setAuthTag(datagram.subarray(datagram.length - TAG_BYTES));
    const body = decipher.update(datagram.subarray(HEADER_BYTES, datagram.length - TAG_BYTES));
    decipher.final();
    return body;
  } catch {
    return null;
  }
}

export { Direction };
