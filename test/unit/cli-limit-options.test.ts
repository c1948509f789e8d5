import { describe, expect, it } from 'vitest';
import { parseClientConfig, parseServerConfig } from '../../src/cli/config.js';
import {
  DEFAULT_CLIENT_LIMITS,
  parseClientLimits,
  parseServerLimits,
  parseSize,
  parseWhole,
} from '../../src/cli/limit-options.js';

describe('limit options', () => {
  it('reads whole numbers in range and names the option when not', () => {
    expect(parseWhole('x', '12', 1, 20)).toBe(12);
    expect(parseWhole('x', ' 0 ', 0, 5)).toBe(0);
    for (const bad of ['0', '21', '1.5', '-3', 'ten', '', '1e3']) {
      expect(parseWhole('max-x', bad, 1, 20)).toBe(
        `Invalid --max-x: ${bad.trim()}. Give a whole number from 1 to 20.`,
      );
    }
  });

  it('reads sizes with binary units', () => {
    expect(parseSize('s', '1000')).toBe(1000);
    expect(parseSize('s', '500K')).toBe(500 * 1024);
    expect(parseSize('s', '64M')).toBe(64 * 2 ** 20);
    expect(parseSize('s', '1.5G')).toBe(1.5 * 2 ** 30);
    expect(parseSize('s', '2GiB')).toBe(2 * 2 ** 30);
    expect(parseSize('s', '3tb')).toBe(3 * 2 ** 40);
    for (const bad of ['', 'big', '-1M', '5X', '1..2G', '9999999T']) {
      expect(parseSize('max-file-size', bad)).toMatch(/^Invalid --max-file-size: /);
    }
  });

  it('fills defaults and takes each option', () => {
    expect(parseServerLimits({})).toEqual({
      maxConnectionsPerAddress: 64,
      maxFailedLoginsPerMinute: 20,
      loginTimeoutSeconds: 30,
    });
    expect(
      parseServerLimits({
        'max-connections-per-address': '8',
        'max-failed-logins-per-minute': '5',
        'login-timeout': '0',
      }),
    ).toEqual({ maxConnectionsPerAddress: 8, maxFailedLoginsPerMinute: 5, loginTimeoutSeconds: 0 });
    expect(parseClientLimits({})).toEqual(DEFAULT_CLIENT_LIMITS);
    expect(
      parseClientLimits({
        'max-file-size': '2G',
        'min-free-disk': '1G',
        'udp-peer-rate': '5000',
        'udp-reply-rate': '500',
      }),
    ).toEqual({
      maxFileBytes: 2 * 2 ** 30,
      minFreeDiskBytes: 2 ** 30,
      udpPeerRate: 5000,
      udpReplyRate: 500,
    });
  });

  it('refuses bad values through the command parsers, with the usage line', () => {
    const s = parseServerConfig({
      server_port: '0',
      number_of_consecutive_failed_attempts: '3',
      'login-timeout': '99999',
    });
    expect(s.ok ? '' : s.error).toMatch(
      /^Invalid --login-timeout: 99999\. Give a whole number from 0 to 3600\.\nUsage: tessenger server/,
    );
    const c = parseClientConfig({
      server_IP: '127.0.0.1',
      server_port: '5000',
      client_udp_server_port: '0',
      'max-file-size': 'lots',
    });
    expect(c.ok ? '' : c.error).toMatch(
      /^Invalid --max-file-size: lots\..*\nUsage: tessenger client/s,
    );
    const r = parseClientConfig({
      server_IP: '127.0.0.1',
      server_port: '5000',
      client_udp_server_port: '0',
      'udp-reply-rate': '5',
    });
    expect(r.ok ? '' : r.error).toMatch(/^Invalid --udp-reply-rate: 5\./);
  });
});
