/**
 * The login screen as pure state: two fields, SPEC.md's messages shown in place, and the
 * lock-out countdown. The view draws `loginRows`; the app feeds keys and server answers.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { type EditorState, EMPTY } from '../line-editor.js';
import type { Row } from './spans.js';
import { wrap } from './text-width.js';

export type LoginField = 'username' | 'password';

export interface LoginState {
  field: LoginField;
  username: EditorState;
  password: EditorState;
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
  const base = { ...s, busy: false, message: err.message, tone: 'error' as const };
  switch (err.code) {
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
  const left = blockedSeconds(s, now);
  const rows: Row[] = [
    [{ text: `Server ${server}`, style: 'dim' }],
    [{ text: 'Please login', style: 'bold' }],
    [],
    [{ text: 'Username: ', style: s.field === 'username' ? 'bold' : undefined }, { text: user }],
    [{ text: 'Password: ', style: s.field === 'password' ? 'bold' : undefined }, { text: stars }],
    [],
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
  const editor = s.field === 'username' ? s.username : s.password;
  const col = 10 + [...(s.field === 'username' ? user : stars)].slice(0, editor.cursor).length;
  return { rows, cursor: { row: s.field === 'username' ? 3 : 4, col } };
}
