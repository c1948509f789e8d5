import { describe, expect, it } from 'vitest';
import { ConversationStore } from '../../src/client/conversations.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { pastedLines } from '../../src/tui/paste.js';
import { ALL_COMMANDS, helpLines, interpretInput } from '../../src/tui/tui-commands.js';
import {
  initialLogin,
  loginFailed,
  loginFields,
  loginRows,
  passwordsDiffer,
} from '../../src/tui/view-models/login-model.js';
import { rowText } from '../../src/tui/view-models/spans.js';

const store = new ConversationStore();
const server = store.active;
const dm = store.ensure('direct', 'obiwan');
const group = store.ensure('group', 'jedi');

describe('interpretInput', () => {
  it('sends plain text to the conversation in focus', () => {
    expect(interpretInput('hello there', dm)).toEqual({
      kind: 'core',
      command: { name: 'msgto', to: 'obiwan', text: 'hello there' },
    });
    expect(interpretInput('hi all', group)).toEqual({
      kind: 'core',
      command: { name: 'groupmsg', group: 'jedi', text: 'hi all' },
    });
    expect(interpretInput('//not a command', dm)).toMatchObject({
      command: { text: '/not a command' },
    });
    expect(interpretInput('hello', server)).toMatchObject({ kind: 'error' });
    expect(interpretInput('   ', dm)).toEqual({ kind: 'none' });
  });

  it('runs core commands anywhere and keeps SPEC.md errors', () => {
    expect(interpretInput('/activeuser', dm)).toEqual({
      kind: 'core',
      command: { name: 'activeuser' },
    });
    expect(interpretInput('/MSGTO x y', server)).toEqual({
      kind: 'error',
      text: 'Error. Invalid command! Type /help for the list.',
    });
    expect(interpretInput('/msgto', server)).toEqual({
      kind: 'error',
      text: 'Missing username and message. Usage: /msgto USERNAME MESSAGE',
    });
  });

  it('knows the TUI commands', () => {
    expect(interpretInput('/search  the force ', group)).toEqual({
      kind: 'tui',
      name: 'search',
      arg: 'the force',
    });
    expect(interpretInput('/help msgto', server)).toEqual({
      kind: 'tui',
      name: 'help',
      arg: 'msgto',
    });
    expect(ALL_COMMANDS).toContain('p2pvideo');
    expect(ALL_COMMANDS).toContain('query');
  });
});

describe('help', () => {
  it('lists every command, and explains one', () => {
    const all = helpLines('').join('\n');
    for (const c of ALL_COMMANDS) expect(all).toContain(`/${c}`);
    expect(helpLines('/p2pvideo')).toEqual([
      '/p2pvideo USERNAME FILENAME: send a file (a video) straight to an online user over UDP',
    ]);
    expect(helpLines('search')[0]).toMatch(/^\/search \[TEXT\]: /);
    expect(helpLines('nope')).toEqual(['No command /nope. Type /help for the list.']);
  });
});

describe('paste detection', () => {
  it('treats a chunk with several lines as a paste', () => {
    expect(pastedLines('one\ntwo\nthree\n')).toEqual(['one', 'two', 'three']);
    expect(pastedLines('\x1b[200~a\r\nb\x1b[201~')).toEqual(['a', 'b']);
  });

  it('treats typing, a single line with Enter, or key sequences as typing', () => {
    expect(pastedLines('hello\r')).toBeNull();
    expect(pastedLines('x')).toBeNull();
    expect(pastedLines('\x1b[A\r\x1b[B\r')).toBeNull();
  });
});

describe('login model', () => {
  const now = 1_000_000;

  it('asks for the password again after a wrong one, message in place', () => {
    const s = loginFailed(
      { ...initialLogin(), field: 'password' },
      { code: ErrorCode.InvalidPassword, message: 'Invalid Password. Please try again' },
      now,
    );
    expect(s.field).toBe('password');
    const rows = loginRows(s, '127.0.0.1:5000', now).rows.map(rowText);
    expect(rows).toContain('Invalid Password. Please try again');
  });

  it('asks for the username again when unknown', () => {
    const s = loginFailed(
      initialLogin(),
      { code: ErrorCode.InvalidUsername, message: 'Invalid Username. Please try again' },
      now,
    );
    expect(s.field).toBe('username');
  });

  it('counts the lock-out down, from the server hint or 10 s', () => {
    const blocked = loginFailed(
      initialLogin(),
      { code: ErrorCode.AccountBlocked, message: 'blocked', retryAfterMs: 4200 },
      now,
    );
    expect(loginRows(blocked, 's', now).rows.map(rowText)).toContain(
      'Blocked: you can try again in 5s',
    );
    expect(loginRows(blocked, 's', now + 4300).rows.map(rowText)).not.toContain(
      'Blocked: you can try again in 0s',
    );
    const locked = loginFailed(
      initialLogin(),
      { code: ErrorCode.AccountLocked, message: 'x' },
      now,
    );
    expect(locked.blockedUntil).toBe(now + 10_000);
  });

  it('offers to create an unknown account: the password again, then register', () => {
    const offered = loginFailed(
      { ...initialLogin(), field: 'password', password: { text: 'pw', cursor: 2 } },
      {
        code: ErrorCode.CanRegister,
        message: 'User Leia does not exist. Enter the same password again to create the account.',
      },
      now,
    );
    expect(offered).toMatchObject({ field: 'repeat', register: true, tone: 'info' });
    expect(loginFields(offered)).toEqual(['username', 'password', 'repeat']);
    const typed = { ...offered, repeat: { text: 'pw', cursor: 2 } };
    const { rows, cursor } = loginRows(typed, 's', now);
    expect(rows.map(rowText)).toContain('Repeat:   **');
    expect(cursor).toEqual({ row: 5, col: 12 });
    expect(passwordsDiffer(typed)).toMatchObject({
      field: 'password',
      register: false,
      message: 'Passwords do not match. Please try again',
    });
  });

  it('masks the password and puts the cursor after it', () => {
    const s = {
      ...initialLogin(),
      field: 'password' as const,
      password: { text: 'abc', cursor: 3 },
    };
    const { rows, cursor } = loginRows(s, 's', now);
    expect(rows.map(rowText)).toContain('Password: ***');
    expect(cursor).toEqual({ row: 4, col: 13 });
  });
});
