import { describe, expect, it } from 'vitest';
import { INVALID_COMMAND, parseCommand } from '../../src/client/commands/index.js';

describe('parseCommand', () => {
  it('parses /msgto keeping the message spacing', () => {
    expect(parseCommand('/msgto obiwan hello   there  ')).toEqual({
      ok: true,
      command: { name: 'msgto', to: 'obiwan', text: 'hello   there' },
    });
  });

  it('keeps shell metacharacters and unicode in messages', () => {
    const r = parseCommand('/msgto Yoda $(rm -rf /) ; `x` 日本語 🎉');
    expect(r).toEqual({
      ok: true,
      command: { name: 'msgto', to: 'Yoda', text: '$(rm -rf /) ; `x` 日本語 🎉' },
    });
  });

  it.each([
    ['/msgto', 'Missing username and message. Usage: /msgto USERNAME MESSAGE'],
    ['/msgto Yoda', 'Missing message. Usage: /msgto USERNAME MESSAGE'],
    ['/msgto Yoda    ', 'Missing message. Usage: /msgto USERNAME MESSAGE'],
    ['/groupmsg', 'Missing group name and message. Usage: /groupmsg GROUPNAME MESSAGE'],
    ['/groupmsg g1 \t ', 'Missing message. Usage: /groupmsg GROUPNAME MESSAGE'],
    ['/creategroup', 'Missing group name. Usage: /creategroup GROUPNAME USERNAME [USERNAME ...]'],
    [
      '/creategroup g1',
      'Please enter at least one more active users. Usage: /creategroup GROUPNAME USERNAME [USERNAME ...]',
    ],
    ['/joingroup', 'Missing group name. Usage: /joingroup GROUPNAME'],
    ['/joingroup a b', 'Too many arguments. Usage: /joingroup GROUPNAME'],
    ['/p2pvideo', 'Missing username and file name. Usage: /p2pvideo USERNAME FILENAME'],
    ['/p2pvideo Yoda', 'Missing file name. Usage: /p2pvideo USERNAME FILENAME'],
    ['/activeuser now', '/activeuser takes no arguments. Usage: /activeuser'],
    ['/logout please', '/logout takes no arguments. Usage: /logout'],
  ])('%s → usage error', (line, error) => {
    expect(parseCommand(line)).toEqual({ ok: false, error });
  });

  it.each(['/MSGTO Yoda hi', '/Logout', '/whoami', 'hello', '', '   ', '/', 'msgto Yoda hi'])(
    'rejects %j as an invalid command',
    (line) => {
      expect(parseCommand(line)).toEqual({ ok: false, error: INVALID_COMMAND });
    },
  );

  it('parses groups and file commands', () => {
    expect(parseCommand('/creategroup g1 Hans  vader')).toEqual({
      ok: true,
      command: { name: 'creategroup', group: 'g1', members: ['Hans', 'vader'] },
    });
    expect(parseCommand('/joingroup g1')).toEqual({
      ok: true,
      command: { name: 'joingroup', group: 'g1' },
    });
    expect(parseCommand('/groupmsg g1 hi all')).toEqual({
      ok: true,
      command: { name: 'groupmsg', group: 'g1', text: 'hi all' },
    });
    expect(parseCommand('/p2pvideo Hans my lecture.mp4')).toEqual({
      ok: true,
      command: { name: 'p2pvideo', to: 'Hans', file: 'my lecture.mp4' },
    });
    expect(parseCommand(' /activeuser ')).toEqual({ ok: true, command: { name: 'activeuser' } });
    expect(parseCommand('/logout')).toEqual({ ok: true, command: { name: 'logout' } });
  });
});
