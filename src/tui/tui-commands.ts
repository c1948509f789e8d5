/**
 * What a line typed in the TUI means: a command of the core, a command of the TUI itself,
 * or text for the conversation in focus. Pure, so every case is unit-tested.
 */
import {
  COMMAND_NAMES,
  COMMANDS,
  type Command,
  isCommandName,
  parseCommand,
} from '../client/commands/index.js';
import type { Conversation } from '../client/conversations.js';

/** Commands only the TUI has, with their usage and a description for /help. */
export const TUI_COMMANDS = {
  help: { usage: '/help [COMMAND]', text: 'list the commands, or explain one' },
  query: { usage: '/query USERNAME', text: 'open a direct chat pane with a user' },
  close: { usage: '/close', text: 'close the conversation in focus' },
  search: { usage: '/search [TEXT]', text: 'show only lines with TEXT here; no TEXT ends it' },
  clear: { usage: '/clear', text: 'clear the conversation in focus' },
  cancel: { usage: '/cancel [N]', text: 'cancel transfer N of the panel (default: selected)' },
  reconnect: { usage: '/reconnect', text: 'try to reconnect now instead of waiting' },
  quit: { usage: '/quit', text: 'log out and quit (as /logout)' },
} as const;

export type TuiCommandName = keyof typeof TUI_COMMANDS;

export type InputAction =
  | { kind: 'core'; command: Command }
  | { kind: 'tui'; name: TuiCommandName; arg: string }
  | { kind: 'error'; text: string }
  | { kind: 'none' };

/** Every command name the TUI accepts, without the slash, for completion and /help. */
export const ALL_COMMANDS: readonly string[] = [
  ...new Set([...COMMAND_NAMES, ...Object.keys(TUI_COMMANDS)]),
].sort();

const isTuiCommand = (name: string): name is TuiCommandName => Object.hasOwn(TUI_COMMANDS, name);

/** Reads one submitted line in the context of the conversation in focus. */
export function interpretInput(line: string, active: Conversation): InputAction {
  if (line.trim() === '') return { kind: 'none' };
  // `//text` sends `/text` as a message, as in IRC clients.
  const isCommand = line.startsWith('/') && !line.startsWith('//');
  if (!isCommand) {
    const text = line.startsWith('//') ? line.slice(1) : line;
    if (active.kind === 'direct') {
      return { kind: 'core', command: { name: 'msgto', to: active.name, text } };
    }
    if (active.kind === 'group') {
      return { kind: 'core', command: { name: 'groupmsg', group: active.name, text } };
    }
    return {
      kind: 'error',
      text: 'This is the server pane: type a command (/help lists them) or switch to a chat.',
    };
  }
  const match = /^\/(\S+)\s*(.*)$/s.exec(line.trim());
  const name = match?.[1] ?? '';
  if (isTuiCommand(name)) return { kind: 'tui', name, arg: (match?.[2] ?? '').trim() };
  const parsed = parseCommand(line);
  if (!parsed.ok) {
    const hint = parsed.error.startsWith('Error. Invalid command')
      ? ' Type /help for the list.'
      : '';
    return { kind: 'error', text: parsed.error + hint };
  }
  return { kind: 'core', command: parsed.command };
}

const usageOf = (n: string): string =>
  isTuiCommand(n) ? TUI_COMMANDS[n].usage : isCommandName(n) ? COMMANDS[n].usage : `/${n}`;

/** `/help` and `/help <command>` texts. */
export function helpLines(topic: string): string[] {
  const name = topic.replace(/^\//, '').trim();
  if (name === '') {
    return [
      'Commands (Tab completes them, users, groups and files; /help COMMAND explains one):',
      ...ALL_COMMANDS.map(usageOf),
      'Text without a slash goes to the conversation in focus; //text sends "/text".',
      'Keys: Alt+1..9, Alt+0 pick a pane; Ctrl+N/Ctrl+P next/previous; Alt+A next active.',
      'Keys: PgUp/PgDn or the wheel scroll; Up/Down recall input; Esc ends a search.',
      'Keys: F6/F7 select a transfer, Ctrl+X cancels it; Ctrl+C logs out and quits.',
    ];
  }
  if (isTuiCommand(name)) return [`${TUI_COMMANDS[name].usage}: ${TUI_COMMANDS[name].text}`];
  if (isCommandName(name)) return [`${COMMANDS[name].usage}: ${COMMANDS[name].description}`];
  return [`No command /${name}. Type /help for the list.`];
}
