/**
 * The TUI face: a blessed screen over the headless client core. Login first, then the main
 * screen; resolves with the exit code once the user has logged out and the terminal is
 * restored.
 */
import type { ChatClient } from '../client/chat-client.js';
import { Reconnector } from '../client/reconnect.js';
import { type Clock, systemClock } from '../util/clock.js';
import { type ChatState, createChatState } from './chat-state.js';
import { runLogin } from './login-screen.js';
import { MainScreen } from './main-screen.js';
import { MainView } from './views/main-view.js';
import { createScreen } from './views/screen.js';

export interface TuiOptions {
  client: ChatClient;
  /** `host:port`, as shown in the status bar. */
  server: string;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Said while connecting (a newly pinned certificate): shown at login and in the server pane. */
  notices?: readonly string[];
  /** Time and timers of the screens and the reconnector; the system clock by default. */
  clock?: Clock;
}

export async function runTuiClient(options: TuiOptions): Promise<number> {
  const { client } = options;
  const clock = options.clock ?? systemClock;
  const { screen, colour } = createScreen(options);
  let finished = false;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });
  let main: MainScreen | null = null;
  let reconnector: Reconnector | null = null;
  let state: ChatState | null = null;

  const finish = async (code: number) => {
    if (finished) return;
    finished = true;
    main?.stop();
    reconnector?.stop();
    // Restore the terminal before anything else can print.
    screen.destroy();
    await client.close();
    if (state?.exitReason) process.stdout.write(`${state.exitReason}\n`);
    if (client.user) process.stdout.write(`Bye, ${client.user}!\n`);
    resolveExit(code);
  };
  const onSignal = () => {
    if (main) void main.controller.logout();
    else void finish(0);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  // Ctrl+C arrives as a key in raw mode; a SIGINT from elsewhere logs out the same way.
  process.once('SIGINT', onSignal);
  // A crash must not leave the terminal in the alternate screen with the mouse captured.
  process.once('uncaughtException', (err) => {
    screen.destroy();
    process.stderr.write(`Tessenger crashed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });

  const notices = options.notices ?? [];
  const loggedIn = await runLogin(screen, colour, client, options.server, notices.join(' '), clock);
  if (!loggedIn) {
    await finish(0);
    return exited;
  }
  state = createChatState(client.user ?? '', options.server);
  state.store.add(state.store.active, {
    ts: clock.now(),
    kind: 'info',
    text: `Welcome to TESSENGER, ${client.user}! Type /help for the commands.`,
  });
  for (const text of notices) {
    state.store.add(state.store.active, { ts: clock.now(), kind: 'info', text });
  }
  const view = new MainView(screen, colour, {
    pickConversation: (i) => {
      state.store.focusIndex(i + 1);
      main?.redraw();
    },
    pickUser: (name) => void main?.controller.submit(`/query ${name}`),
    scroll: (n) => {
      const id = state.store.active.id;
      state.scroll.set(id, Math.max(0, (state.scroll.get(id) ?? 0) + n));
      main?.redraw();
    },
  });
  reconnector = new Reconnector(client, { clock });
  main = new MainScreen(
    screen,
    view,
    client,
    state,
    reconnector,
    (code) => void finish(code),
    clock,
  );
  client.on('disconnected', ({ expected }) => {
    if (expected) void finish(0);
  });
  main.start();
  return exited;
}
