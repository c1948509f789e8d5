/**
 * The login phase: keys edit the fields, Enter moves on or signs in, refusals show in
 * place with the lock-out countdown. Resolves once signed in, or null when the user quits.
 */
import type blessed from 'blessed';
import type { ChatClient } from '../client/chat-client.js';
import { ProtocolError } from '../protocol/errors.js';
import { type Clock, systemClock } from '../util/clock.js';
import { EDIT_KEYS, EMPTY, edit, insert } from './line-editor.js';
import {
  blockedSeconds,
  initialLogin,
  type LoginState,
  loginFailed,
  loginFields,
  passwordsDiffer,
} from './view-models/login-model.js';
import { isPrintable, SurrogateJoiner } from './views/keys.js';
import { LoginView } from './views/login-view.js';

export function runLogin(
  screen: blessed.Widgets.Screen,
  colour: boolean,
  client: ChatClient,
  server: string,
  /** Shown in the box until the first refusal replaces it (a newly pinned certificate). */
  notice = '',
  clock: Clock = systemClock,
): Promise<boolean> {
  const view = new LoginView(screen, colour, server);
  let state: LoginState = notice ? { ...initialLogin(), message: notice } : initialLogin();
  const draw = () => view.draw(state, clock.now());
  const joiner = new SurrogateJoiner();
  // Ticks only while blocked, so the countdown moves.
  const tick = clock.setInterval(() => {
    if (state.blockedUntil !== null) {
      if (blockedSeconds(state, clock.now()) === 0) state = { ...state, blockedUntil: null };
      draw();
    }
  }, 500);

  return new Promise<boolean>((resolve) => {
    const done = (ok: boolean) => {
      clock.clear(tick);
      screen.off('keypress', onKey);
      screen.off('resize', draw);
      view.destroy();
      resolve(ok);
    };
    const submit = async () => {
      const username = state.username.text.trim();
      if (username === '') {
        state = { ...state, field: 'username', message: 'Enter a username.', tone: 'error' };
        return draw();
      }
      if (state.field === 'username') {
        state = { ...state, field: 'password' };
        return draw();
      }
      if (state.busy || blockedSeconds(state, clock.now()) > 0) return;
      if (state.field === 'repeat' && state.repeat.text !== state.password.text) {
        state = passwordsDiffer(state);
        return draw();
      }
      const registering = state.register && state.field === 'repeat';
      if (state.register && !registering) {
        state = { ...state, field: 'repeat' };
        return draw();
      }
      state = { ...state, busy: true, message: null };
      draw();
      try {
        if (registering) await client.register(username, state.password.text);
        else await client.login(username, state.password.text);
        done(true);
      } catch (err) {
        const e = err as Error & { code?: string; retryAfterMs?: number };
        const info = err instanceof ProtocolError ? e : { message: e.message };
        state = loginFailed(state, info, clock.now());
        draw();
      }
    };
    const onKey = (ch: string | undefined, key: blessed.Widgets.Events.IKeyEventArg) => {
      const field = state.field;
      const name = key.full;
      if (name === 'C-c') return done(false);
      // blessed reports Enter twice ('return', then 'enter'); act on one.
      if (name === 'return') return;
      if (name === 'enter') return void submit();
      if (name === 'tab' || name === 'S-tab' || name === 'up' || name === 'down') {
        const fields = loginFields(state);
        const step = name === 'S-tab' || name === 'up' ? -1 : 1;
        const next = fields[(fields.indexOf(field) + step + fields.length) % fields.length]!;
        state = { ...state, field: next };
        return draw();
      }
      const editKey = EDIT_KEYS[name];
      const current = state[field];
      let next = current;
      if (editKey) next = edit(current, editKey);
      else {
        const typed = joiner.feed(ch);
        if (typed && isPrintable(typed, key)) next = insert(current, typed);
      }
      if (next !== current) {
        state = { ...state, [field]: next };
        // Another name is another question: the offer to create the account was for the old one.
        if (field === 'username' && state.register) {
          state = { ...state, register: false, repeat: EMPTY };
        }
        draw();
      }
    };
    screen.on('keypress', onKey);
    screen.on('resize', draw);
    draw();
  });
}
