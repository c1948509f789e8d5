import { describe, expect, it } from 'vitest';
import { parseServerConfig } from '../../src/cli/config.js';
import { parseRelayOptions } from '../../src/cli/relay-options.js';
import { listeningLine } from '../../src/cli/server-command.js';

describe('relay options', () => {
  it('defaults: UDP on the TCP port, relay on, 32 MiB/s per user, 128 MiB/s in total', () => {
    expect(parseRelayOptions({})).toEqual({
      udpPort: null,
      relay: true,
      relayUserBytesPerSec: 32 * 2 ** 20,
      relayTotalBytesPerSec: 128 * 2 ** 20,
    });
  });

  it('reads each option', () => {
    expect(
      parseRelayOptions({
        'udp-port': '5001',
        relay: false,
        'relay-rate-per-user': '4M',
        'relay-rate-total': '1G',
      }),
    ).toEqual({
      udpPort: 5001,
      relay: false,
      relayUserBytesPerSec: 4 * 2 ** 20,
      relayTotalBytesPerSec: 2 ** 30,
    });
    expect(parseRelayOptions({ 'udp-port': '0' })).toMatchObject({ udpPort: 0 });
  });

  it('refuses bad values, naming the option', () => {
    for (const bad of ['65536', '-1', 'x', '', '1.5']) {
      expect(parseRelayOptions({ 'udp-port': bad })).toBe(
        `Invalid --udp-port: ${bad}. Give a port from 0 (any free port) to 65535.`,
      );
    }
    expect(parseRelayOptions({ 'relay-rate-per-user': 'fast' })).toMatch(
      /^Invalid --relay-rate-per-user: fast\. Give a size/,
    );
    expect(parseRelayOptions({ 'relay-rate-total': '1000' })).toBe(
      'Invalid --relay-rate-total: 1000. Give bytes per second from 64K to 1T (e.g. 32M).',
    );
    expect(parseRelayOptions({ 'relay-rate-per-user': '2G', 'relay-rate-total': '1G' })).toMatch(
      /^Invalid --relay-rate-per-user: .* is above --relay-rate-total/,
    );
  });

  it('reaches the server config, and a bad one gives the usage', () => {
    const base = { server_port: '5000', number_of_consecutive_failed_attempts: '3' };
    const ok = parseServerConfig({ ...base, 'udp-port': '5001', relay: false });
    expect(ok.ok && ok.config.udp).toMatchObject({ udpPort: 5001, relay: false });
    const bad = parseServerConfig({ ...base, 'udp-port': 'many' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toContain('[--udp-port N] [--no-relay]');
  });

  it('says the UDP port and whether it relays in the listening line', () => {
    expect(listeningLine('0.0.0.0', { port: 5000, udpPort: 5000, relay: true })).toBe(
      'Tessenger server listening on 0.0.0.0:5000 (UDP 5000: binding and relay)',
    );
    expect(listeningLine('::', { port: 5000, udpPort: 5001, relay: false })).toBe(
      'Tessenger server listening on [::]:5000 (UDP 5001: binding; relay off)',
    );
    expect(listeningLine('127.0.0.1', { port: 5000, udpPort: null, relay: false })).toBe(
      'Tessenger server listening on 127.0.0.1:5000',
    );
  });
});
