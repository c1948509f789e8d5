/**
 * Passwords in credentials.txt: the assignment's plain text, or a salted scrypt hash
 * `scrypt$N$r$p$<salt>$<hash>` (base64url), e.g.
 * `Yoda scrypt$16384$8$1$q1w2e3...$Zx9...`. The older `scrypt$<salt>$<hash>` (made by
 * registration before the parameters were written out) means N=16384, r=8, p=1.
 */
import { createHash, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP's floor for scrypt; about 40 ms per check on the project machines. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 16384, r: 8, p: 1 };

const PREFIX = 'scrypt$';
const KEY_BYTES = 32;
/** Costs above this are refused: a hostile credentials line must not make one login take minutes. */
const MAX_MEMORY = 256 * 1024 * 1024;

export interface ParsedHash extends ScryptParams {
  salt: Buffer;
  hash: Buffer;
}

/** True when the stored value is meant as a hash (well-formed or not). */
export function isHashed(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

/** Parses a stored hash; null when it is malformed or its cost is out of bounds. */
export function parseHash(stored: string): ParsedHash | null {
  if (!isHashed(stored)) return null;
  const parts = stored.slice(PREFIX.length).split('$');
  let params: ScryptParams = DEFAULT_SCRYPT;
  if (parts.length === 5) {
    const [N, r, p] = parts.slice(0, 3).map((s) => (/^\d{1,8}$/.test(s) ? Number(s) : Number.NaN));
    params = { N: N as number, r: r as number, p: p as number };
  } else if (parts.length !== 2) return null;
  const [saltText, hashText] = parts.slice(-2) as [string, string];
  if (!validParams(params)) return null;
  const salt = Buffer.from(saltText, 'base64url');
  const hash = Buffer.from(hashText, 'base64url');
  if (salt.length < 8 || hash.length < 16 || hash.length > 64) return null;
  return { ...params, salt, hash };
}

function validParams({ N, r, p }: ScryptParams): boolean {
  const powerOfTwo = Number.isInteger(N) && N >= 2 && (N & (N - 1)) === 0;
  return powerOfTwo && r >= 1 && r <= 32 && p >= 1 && p <= 16 && 128 * N * r * p <= MAX_MEMORY;
}

/** A fresh salted hash of a password. */
export function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): string {
  const salt = randomBytes(16);
  const hash = derive(password, salt, params, KEY_BYTES);
  return `${PREFIX}${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/**
 * Checks a password against what credentials.txt holds. Both paths compare fixed-length
 * digests with timingSafeEqual, so timing does not leak how much of a guess was right.
 */
export function verifyPassword(given: string, stored: string): boolean {
  if (isHashed(stored)) {
    const parsed = parseHash(stored);
    // A malformed hash matches nothing, rather than being read as a literal password.
    if (!parsed) return false;
    const got = derive(given, parsed.salt, parsed, parsed.hash.length);
    return timingSafeEqual(got, parsed.hash);
  }
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(stored));
}

/**
 * The same check with scrypt on libuv's thread pool: the server's event loop keeps serving
 * other clients during the ~40 ms a hashed password costs.
 */
export async function verifyPasswordAsync(given: string, stored: string): Promise<boolean> {
  if (!isHashed(stored)) return verifyPassword(given, stored);
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const got = await new Promise<Buffer>((resolve, reject) =>
    scrypt(
      given,
      parsed.salt,
      parsed.hash.length,
      { N: parsed.N, r: parsed.r, p: parsed.p, maxmem: MAX_MEMORY + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
  return timingSafeEqual(got, parsed.hash);
}

function derive(password: string, salt: Buffer, params: ScryptParams, length: number): Buffer {
  return scryptSync(password, salt, length, {
    N: params.N,
    r: params.r,
    p: params.p,
    maxmem: MAX_MEMORY + 1024 * 1024,
  });
}
