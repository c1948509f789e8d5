/**
 * The login screen as pure state: username and password (and, when the server offers to
 * create the account, the password again), SPEC.md's messages shown in place, and the
 * lock-out countdown. The view draws `loginRows`; the app feeds keys and server answers.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { type EditorState, EMPTY } from '../line-editor.js';
import type { Row } from './spans.js';
import { textWidth, wrap } from './text-width.js';

export type LoginField = 'username' | 'password' | 'repeat';

export interface LoginState {
  field: LoginField;
  username: EditorState;
  password: EditorState;
  /** The password again, to create an account the server does not know yet. */
  repeat: EditorState;
  /** The server offered to create the account: Enter on `repeat` registers. */
  register: boolean;
  message: string | null;
  tone: 'error' | 'info';
  /** While blocked (ms since the epoch), no attempt is sent. */
  blockedUntil: number | null;
  busy: boolean;
}

export const initialLogin = (): LoginState => ({
  field: 'username',
  username: EMPTY,
  password: EMPTY,
  repeat: EMPTY,
  register: false,
  message: null,
  tone: 'info',
  blockedUntil: null,
  busy: false,
});

/** Default lock-out when the server does not say how long (SPEC.md: 10 seconds). */
const DEFAULT_BLOCK_MS = 10_000;

/** The screen after a refused login: where the cursor goes and what is cleared. */
export function loginFailed(
  s: LoginState,
  err: { code?: string; message: string; retryAfterMs?: number },
  now: number,
): LoginState {
  const base = {
    ...s,
    busy: false,
    register: false,
    repeat: EMPTY,
    message: err.message,
    tone: 'error' as const,
  };
  switch (err.code) {
    case ErrorCode.CanRegister:
      return { ...base, register: true, field: 'repeat', tone: 'info' };
    case ErrorCode.InvalidPassword:
      return { ...base, field: 'password', password: EMPTY };
    case ErrorCode.AccountBlocked:
    case ErrorCode.AccountLocked:
      return {
        ...base,
        field: 'password',
        password: EMPTY,
        blockedUntil: now + (err.retryAfterMs ?? DEFAULT_BLOCK_MS),
      };
    case ErrorCode.InvalidUsername:
      return { ...base, field: 'username', username: EMPTY, password: EMPTY };
    default:
      return base;
  }
}

/** Fields Tab moves between, in order. */
export const loginFields = (s: LoginState): LoginField[] =>
  s.register ? ['username', 'password', 'repeat'] : ['username', 'password'];

/** After a repeated password that differs: ask for both again. */
export const passwordsDiffer = (s: LoginState): LoginState => ({
  ...s,
  field: 'password',
  password: EMPTY,
  repeat: EMPTY,
  register: false,
  busy: false,
  message: 'Passwords do not match. Please try again',
  tone: 'error',
});

/** Seconds of lock-out left, 0 when none. */
export function blockedSeconds(s: LoginState, now: number): number {
  return s.blockedUntil === null ? 0 : Math.max(0, Math.ceil((s.blockedUntil - now) / 1000));
}

/** The text rows of the login box and where the cursor is (row, column within the box). */
export function loginRows(
  s: LoginState,
  server: string,
  now: number,
  width = 56,
): { rows: Row[]; cursor: { row: number; col: number } } {
  const user = s.username.text;
  const stars = '*'.repeat([...s.password.text].length);
  const repeatStars = '*'.repeat([...s.repeat.text].length);
  const label = (text: string, field: LoginField) =>
    ({ text, style: s.field === field ? 'bold' : undefined }) as const;
  const left = blockedSeconds(s, now);
  const rows: Row[] = [
    [{ text: `Server ${server}`, style: 'dim' }],
    [{ text: 'Please login', style: 'bold' }],
    [],
    [label('Username: ', 'username'), { text: user }],
    [label('Password: ', 'password'), { text: stars }],
    s.register ? [label('Repeat:   ', 'repeat'), { text: repeatStars }] : [],
    ...(s.message ? wrap(s.message, width) : ['']).map(
      (text): Row => (text ? [{ text, style: s.tone === 'error' ? 'error' : 'info' }] : []),
    ),
    left > 0
      ? [{ text: `Blocked: you can try again in ${left}s`, style: 'warn' }]
      : s.busy
        ? [{ text: 'Signing in...', style: 'dim' }]
        : [],
    [{ text: 'Enter: next / log in   Tab: other field   Ctrl+C: quit', style: 'dim' }],
  ];
  const shown = { username: user, password: stars, repeat: repeatStars }[s.field];
  const col = 10 + textWidth([...shown].slice(0, s[s.field].cursor).join(''));
  return { rows, cursor: { row: { username: 3, password: 4, repeat: 5 }[s.field], col } };
}
