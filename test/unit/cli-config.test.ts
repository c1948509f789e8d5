import { describe, expect, it } from 'vitest';
import { parseClientConfig, parsePort, parseServerConfig } from '../../src/cli/config.js';
import { DEFAULT_SERVER_LIMITS } from '../../src/cli/limit-options.js';

const server = (port: unknown, attempts: unknown) =>
  parseServerConfig({ server_port: port, number_of_consecutive_failed_attempts: attempts });

describe('server arguments', () => {
  it.each(['1', '3', '5'])('accepts %s attempts', (a) => {
    const r = server('5000', a);
    expect(r.ok && r.config.maxAttempts).toBe(Number(a));
  });

  it.each(['0', '6', '2.5', 'abc', '-1', '', '1e0', ' '])(
    'rejects %j attempts with the spec text',
    (a) => {
      expect(server('5000', a)).toEqual({
        ok: false,
        error: `Invalid number of allowed failed consecutive attempt: ${a}. The valid value of argument number is an integer between 1 and 5`,
      });
    },
  );

  it.each(['65536', '-1', 'http', '80.5', '99999999'])('rejects port %j with a usage line', (p) => {
    const r = server(p, '3');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain('Usage: tessenger server <server_port>');
  });

  it('fills defaults and freezes the config', () => {
    const r = server('0', '2');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config).toEqual({
      cluster: null,
      host: '0.0.0.0',
      port: 0,
      maxAttempts: 2,
      credentialsPath: './credentials.txt',
      logDir: './logs',
      dataDir: './data',
      idleTimeoutMinutes: 30,
      allowRegister: false,
      insecurePlain: false,
      verbose: false,
      limits: DEFAULT_SERVER_LIMITS,
      udp: {
        udpPort: null,
        relay: true,
        relayUserBytesPerSec: 32 * 2 ** 20,
        relayTotalBytesPerSec: 128 * 2 ** 20,
      },
    });
    expect(Object.isFrozen(r.config)).toBe(true);
  });

  it('reads --data-dir, --idle-timeout and --allow-register, and refuses a bad time-out', () => {
    const base = { server_port: '0', number_of_consecutive_failed_attempts: '3' };
    const r = parseServerConfig({
      ...base,
      'data-dir': 'state',
      'idle-timeout': '0.5',
      'allow-register': true,
    });
    expect(r.ok && [r.config.dataDir, r.config.idleTimeoutMinutes, r.config.allowRegister]).toEqual(
      ['state', 0.5, true],
    );
    const bad = parseServerConfig({ ...base, 'idle-timeout': '-1' });
    expect(bad.ok ? '' : bad.error).toMatch(/^Invalid --idle-timeout: -1\./);
  });
});

describe('client arguments', () => {
  const client = (ip: unknown, port: unknown, udp: unknown) =>
    parseClientConfig({ server_IP: ip, server_port: port, client_udp_server_port: udp });

  it('accepts a valid triple', () => {
    const r = client('127.0.0.1', '5000', '6000');
    expect(r.ok && [r.config.serverHost, r.config.serverPort, r.config.udpPort]).toEqual([
      '127.0.0.1',
      5000,
      6000,
    ]);
  });

  it.each([
    ['127.0.0.1', '0', '6000', 'Invalid server_port: 0.'],
    ['127.0.0.1', 'x', '6000', 'Invalid server_port: x.'],
    ['127.0.0.1', '5000', '70000', 'Invalid client_udp_server_port: 70000.'],
    ['', '5000', '6000', 'Missing server_IP.'],
  ])('rejects %j %j %j', (ip, port, udp, error) => {
    const r = client(ip, port, udp);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.split('\n')[0]).toBe(error);
  });

  it('parses ports strictly', () => {
    expect(parsePort('0')).toBe(0);
    expect(parsePort('65535')).toBe(65535);
    expect(parsePort('0x10')).toBeNull();
    expect(parsePort('1 2')).toBeNull();
  });
});
