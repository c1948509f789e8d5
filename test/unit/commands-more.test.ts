/** The parser's commands beyond the assignment, and the plain-mode texts of their results. */
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, parseCommand } from '../../src/client/commands/index.js';
import { formatResult } from '../../src/presentation/command-text.js';
import { formatPresence, formatReceipt } from '../../src/presentation/event-text.js';
import { commandHelp } from '../../src/presentation/help.js';
import { formatTimestamp } from '../../src/util/time-format.js';

const T = new Date(2022, 5, 1, 21, 30, 4).getTime();
const stamp = formatTimestamp(T);

describe('parseCommand, extensions', () => {
  it.each([
    ['/history obiwan', { name: 'history', conversation: 'obiwan', limit: 20 }],
    ['/history jedi 5', { name: 'history', conversation: 'jedi', limit: 5 }],
    ['/broadcast  hello   all ', { name: 'broadcast', text: 'hello   all' }],
    ['/block vader', { name: 'block', user: 'vader' }],
    ['/unblock vader', { name: 'unblock', user: 'vader' }],
    ['/blocked', { name: 'blocked' }],
    ['/lastseen', { name: 'lastseen', minutes: 60 }],
    ['/lastseen 15', { name: 'lastseen', minutes: 15 }],
    ['/away', { name: 'away', text: '' }],
    ['/away gone fishing', { name: 'away', text: 'gone fishing' }],
    ['/groups', { name: 'groups' }],
    ['/members jedi', { name: 'members', group: 'jedi' }],
    ['/invite jedi Hans', { name: 'invite', group: 'jedi', user: 'Hans' }],
    ['/leavegroup jedi', { name: 'leavegroup', group: 'jedi' }],
    ['/groupvideo jedi my clip.mp4', { name: 'groupvideo', group: 'jedi', file: 'my clip.mp4' }],
  ])('%s', (line, command) => {
    expect(parseCommand(line)).toEqual({ ok: true, command });
  });

  it.each([
    ['/history', 'Missing user or group name. Usage: /history USERNAME|GROUPNAME [N]'],
    ['/history a 0', 'N must be a whole number above 0. Usage: /history USERNAME|GROUPNAME [N]'],
    ['/history a 1 2', 'Too many arguments. Usage: /history USERNAME|GROUPNAME [N]'],
    ['/lastseen x', 'MINUTES must be a whole number above 0. Usage: /lastseen [MINUTES]'],
    ['/broadcast   ', 'Missing message. Usage: /broadcast MESSAGE'],
    ['/block', 'Missing username. Usage: /block USERNAME'],
    ['/unblock a b', 'Too many arguments. Usage: /unblock USERNAME'],
    ['/blocked x', '/blocked takes no arguments. Usage: /blocked'],
    ['/members', 'Missing group name. Usage: /members GROUPNAME'],
    ['/invite jedi', 'Missing group name or username. Usage: /invite GROUPNAME USERNAME'],
    ['/leavegroup', 'Missing group name. Usage: /leavegroup GROUPNAME'],
    ['/groupvideo jedi', 'Missing file name. Usage: /groupvideo GROUPNAME FILENAME'],
  ])('%s → usage error', (line, error) => {
    expect(parseCommand(line)).toEqual({ ok: false, error });
  });

  it('has a /help line for every command', () => {
    expect(commandHelp()).toHaveLength(COMMAND_NAMES.length);
    expect(commandHelp()).toContain('/blocked: list the users you blocked');
  });
});

describe('plain-mode texts', () => {
  it.each([
    [
      { kind: 'sent', to: 'vader', ts: T, queued: true },
      [`vader is offline: message queued at ${stamp}, delivered when they log in.`],
    ],
    [
      { kind: 'sent', to: 'obiwan', ts: T, away: 'lunch' },
      [`message sent at ${stamp}.`, 'obiwan is away: lunch'],
    ],
    [{ kind: 'broadcast-sent', ts: T, recipients: 1 }, ['Broadcast sent to 1 user.']],
    [{ kind: 'block-list', users: [] }, ['You have not blocked anyone.']],
    [{ kind: 'away', away: false, text: '' }, ['You are back.']],
    [
      { kind: 'last-seen', minutes: 60, users: [{ username: 'Hans', lastSeen: T, online: false }] },
      ['Users seen in the last 60 minutes:', `Hans, last seen ${stamp}`],
    ],
    [
      {
        kind: 'history',
        conversation: 'jedi',
        conversationKind: 'group',
        messages: [{ n: 1, from: 'Yoda', text: 'hi', ts: T }],
      },
      ['Last 1 message in group chat jedi:', `${stamp}, jedi, Yoda: hi`],
    ],
    [
      {
        kind: 'group-transfer-started',
        group: 'jedi',
        filename: 'a.mp4',
        size: 1,
        to: ['obiwan'],
        failed: [{ to: 'Hans', error: 'Hans is offline' }],
      },
      ['Sending a.mp4 to 1 member of jedi: obiwan', 'Not sent to Hans: Hans is offline'],
    ],
  ] as const)('%j', (result, lines) => {
    expect(formatResult(result as Parameters<typeof formatResult>[0])).toEqual(lines);
  });

  it('words presence notices and receipts', () => {
    expect(formatPresence({ user: 'Yoda', status: 'online' })).toBe('Yoda logged in.');
    expect(formatPresence({ user: 'Yoda', status: 'away' })).toBe('Yoda is away.');
    expect(formatReceipt({ to: 'obiwan', ts: T })).toBe(
      `obiwan received your message sent at ${stamp}.`,
    );
  });
});
