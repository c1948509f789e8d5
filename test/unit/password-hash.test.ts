/** credentials.txt passwords: plain lines, scrypt hashes (both forms), and the passwd rewrite. */
import { describe, expect, it } from 'vitest';
import { plainUsers, setCredentialLine } from '../../src/cli/passwd-command.js';
import { hashPassword, parseHash, verifyPassword } from '../../src/server/password-hash.js';

// Cheap parameters: these tests check the format, not the cost.
const FAST = { N: 1024, r: 8, p: 1 };

describe('password hashes', () => {
  it('verifies a fresh hash with its parameters written out, and nothing else', () => {
    const stored = hashPassword('wise@!manbaby', FAST);
    expect(stored).toMatch(/^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(verifyPassword('wise@!manbaby', stored)).toBe(true);
    expect(verifyPassword('wise@!manbab', stored)).toBe(false);
    expect(hashPassword('x', FAST)).not.toBe(hashPassword('x', FAST));
  });

  it('reads the older scrypt$salt$hash form as N=16384, r=8, p=1', () => {
    const full = hashPassword('(jedimaster)');
    const [, , , , salt, hash] = full.split('$');
    const legacy = `scrypt$${salt}$${hash}`;
    expect(parseHash(legacy)).toMatchObject({ N: 16384, r: 8, p: 1 });
    expect(verifyPassword('(jedimaster)', legacy)).toBe(true);
  });

  it('compares plain passwords exactly, shell metacharacters and all', () => {
    expect(verifyPassword('666sithlord**', '666sithlord**')).toBe(true);
    expect(verifyPassword('666sithlord*', '666sithlord**')).toBe(false);
  });

  it('never matches a malformed hash or one with an absurd cost (it is not a literal password)', () => {
    const [, , , , salt, hash] = hashPassword('pw', FAST).split('$');
    for (const bad of [
      'scrypt$',
      'scrypt$abc',
      `scrypt$1000$8$1$${salt}$${hash}`, // N not a power of two
      `scrypt$1048576$32$16$${salt}$${hash}`, // gigabytes of memory
      `scrypt$1024$8$1$$${hash}`,
    ]) {
      expect(parseHash(bad)).toBeNull();
      expect(verifyPassword(bad, bad)).toBe(false);
    }
  });

  it('lists the accounts still on plain text', () => {
    const users = new Map([
      ['Yoda', 'wise@!manbaby'],
      ['obiwan', hashPassword('x', FAST)],
    ]);
    expect(plainUsers(users)).toEqual(['Yoda']);
  });
});

describe('setCredentialLine', () => {
  it('replaces the first line of the user and keeps every other line byte for byte', () => {
    const text = 'Yoda a\r\nobiwan b\n# odd line kept\nYoda later-duplicate\n';
    expect(setCredentialLine(text, 'Yoda', 'H')).toBe(
      'Yoda H\nobiwan b\n# odd line kept\nYoda later-duplicate\n',
    );
  });

  it('appends a new user, adding the missing final newline', () => {
    expect(setCredentialLine('Yoda a', 'Luke', 'H')).toBe('Yoda a\nLuke H\n');
    expect(setCredentialLine('', 'Luke', 'H')).toBe('Luke H\n');
  });

  it('does not take a user whose name is only a prefix', () => {
    expect(setCredentialLine('Yodaa a\n', 'Yoda', 'H')).toBe('Yodaa a\nYoda H\n');
  });
});
