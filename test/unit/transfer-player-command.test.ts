import { describe, expect, it } from 'vitest';
import { parseClientConfig } from '../../src/cli/config.js';
import {
  DEFAULT_PLAYERS,
  parsePlayerOption,
  resolvePlayer,
  splitCommand,
} from '../../src/cli/player-command.js';

describe('splitCommand', () => {
  it.each([
    ['ffplay -', ['ffplay', '-']],
    ['  mpv   --really-quiet  - ', ['mpv', '--really-quiet', '-']],
    ["vlc '/opt/my player/x' -", ['vlc', '/opt/my player/x', '-']],
    ['a "b \\" c" d', ['a', 'b " c', 'd']],
    ['a\\ b c', ['a b', 'c']],
    ["''", ['']],
    ['x"y z"w', ['xy zw']],
    ["'$HOME; rm -rf /'", ['$HOME; rm -rf /']],
  ])('%s', (text, words) => {
    expect(splitCommand(text)).toEqual(words);
  });

  it.each(['', '   ', "'open", '"open'])('refuses %j', (text) => {
    expect(splitCommand(text)).toBeNull();
  });
});

describe('--player', () => {
  it('absent is off, bare is auto, a value is a command', () => {
    expect(parsePlayerOption(undefined)).toEqual({ mode: 'off' });
    expect(parsePlayerOption('')).toEqual({ mode: 'auto' });
    expect(parsePlayerOption(true)).toEqual({ mode: 'auto' });
    expect(parsePlayerOption('mpv -')).toEqual({ mode: 'command', argv: ['mpv', '-'] });
    expect(parsePlayerOption("mpv 'x")).toMatch(/Invalid --player/);
  });

  it('auto picks ffplay, then mpv, else none', () => {
    const auto = { mode: 'auto' } as const;
    expect(resolvePlayer(auto, () => true)).toEqual(DEFAULT_PLAYERS[0]);
    expect(resolvePlayer(auto, (n) => n === 'mpv')).toEqual(['mpv', '--really-quiet', '-']);
    expect(resolvePlayer(auto, () => false)).toBeNull();
    expect(resolvePlayer({ mode: 'off' }, () => true)).toBeNull();
    expect(resolvePlayer({ mode: 'command', argv: ['x'] }, () => false)).toEqual(['x']);
  });

  it('reaches the client config, with --stall-timeout', () => {
    const base = { server_IP: '127.0.0.1', server_port: '5000', client_udp_server_port: '0' };
    const ok = parseClientConfig({ ...base, player: 'ffplay -', 'stall-timeout': '3' });
    expect(ok.ok && ok.config.player).toEqual({ mode: 'command', argv: ['ffplay', '-'] });
    expect(ok.ok && ok.config.stallTimeoutMs).toBe(3000);
    const plain = parseClientConfig(base);
    expect(plain.ok && plain.config.player).toEqual({ mode: 'off' });
    expect(plain.ok && plain.config.stallTimeoutMs).toBe(15_000);
    for (const bad of ['0', '-1', 'soon', '99999']) {
      const r = parseClientConfig({ ...base, 'stall-timeout': bad });
      expect(r.ok ? '' : r.error).toMatch(/^Invalid --stall-timeout/);
    }
    const r = parseClientConfig({ ...base, player: '"open' });
    expect(r.ok ? '' : r.error).toMatch(/^Invalid --player command/);
  });
});
