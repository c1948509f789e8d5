/**
 * Pure parser of what a user types. No I/O: it turns a line into a command or an error text.
 * Command names are case-sensitive, as in the assignment: `/MSGTO` is an invalid command.
 */

export type Command =
  | { name: 'msgto'; to: string; text: string }
  | { name: 'activeuser' }
  | { name: 'creategroup'; group: string; members: string[] }
  | { name: 'joingroup'; group: string }
  | { name: 'groupmsg'; group: string; text: string }
  | { name: 'p2pvideo'; to: string; file: string }
  | { name: 'logout' };

export type CommandName = Command['name'];

export type ParseResult = { ok: true; command: Command } | { ok: false; error: string };

export const INVALID_COMMAND = 'Error. Invalid command!';

/** Usage line of each command, shown with every argument error. */
export const USAGE: Record<CommandName, string> = {
  msgto: '/msgto USERNAME MESSAGE',
  activeuser: '/activeuser',
  creategroup: '/creategroup GROUPNAME USERNAME [USERNAME ...]',
  joingroup: '/joingroup GROUPNAME',
  groupmsg: '/groupmsg GROUPNAME MESSAGE',
  p2pvideo: '/p2pvideo USERNAME FILENAME',
  logout: '/logout',
};

/** One-line description of each command, for help texts. */
export const DESCRIPTION: Record<CommandName, string> = {
  msgto: 'send a private message to a user',
  activeuser: 'list the other users online',
  creategroup: 'create a group chat and invite online users to it',
  joingroup: 'join a group chat you were invited to',
  groupmsg: 'send a message to a group chat you joined',
  p2pvideo: 'send a file (a video) straight to an online user over UDP',
  logout: 'log out and quit',
};

/** SPEC.md's command list, shown after login and after every command's result. */
export const COMMAND_LIST =
  'Enter one of the following commands (/msgto, /activeuser, /creategroup, /joingroup, /groupmsg, /p2pvideo ,/logout):';

const usage = (name: CommandName, problem: string): ParseResult => ({
  ok: false,
  error: `${problem}. Usage: ${USAGE[name]}`,
});

/** Splits off the first `count` whitespace-separated words; the rest keeps its inner spacing. */
function splitWords(input: string, count: number): { words: string[]; rest: string } {
  const words: string[] = [];
  let rest = input.trimStart();
  while (words.length < count && rest.length > 0) {
    const match = /^(\S+)\s*/.exec(rest);
    if (!match) break;
    words.push(match[1]!);
    rest = rest.slice(match[0].length);
  }
  return { words, rest };
}

/** Parses one input line. Never throws. */
export function parseCommand(line: string): ParseResult {
  const trimmed = line.trim();
  const head = /^\/(\S+)/.exec(trimmed);
  if (!head) return { ok: false, error: INVALID_COMMAND };
  const name = head[1]!;
  const args = trimmed.slice(head[0].length);
  switch (name) {
    case 'msgto': {
      const { words, rest } = splitWords(args, 1);
      if (words.length === 0) return usage('msgto', 'Missing username and message');
      if (rest.trim() === '') return usage('msgto', 'Missing message');
      return { ok: true, command: { name: 'msgto', to: words[0]!, text: rest.trimEnd() } };
    }
    case 'groupmsg': {
      const { words, rest } = splitWords(args, 1);
      if (words.length === 0) return usage('groupmsg', 'Missing group name and message');
      if (rest.trim() === '') return usage('groupmsg', 'Missing message');
      return { ok: true, command: { name: 'groupmsg', group: words[0]!, text: rest.trimEnd() } };
    }
    case 'creategroup': {
      const words = args.split(/\s+/).filter(Boolean);
      if (words.length === 0) return usage('creategroup', 'Missing group name');
      if (words.length === 1) {
        return {
          ok: false,
          error: `Please enter at least one more active users. Usage: ${USAGE.creategroup}`,
        };
      }
      const [group, ...members] = words as [string, ...string[]];
      return { ok: true, command: { name: 'creategroup', group, members } };
    }
    case 'joingroup': {
      const words = args.split(/\s+/).filter(Boolean);
      if (words.length !== 1) {
        return usage('joingroup', words.length === 0 ? 'Missing group name' : 'Too many arguments');
      }
      return { ok: true, command: { name: 'joingroup', group: words[0]! } };
    }
    case 'p2pvideo': {
      const { words, rest } = splitWords(args, 1);
      const file = rest.trim();
      if (words.length === 0) return usage('p2pvideo', 'Missing username and file name');
      if (file === '') return usage('p2pvideo', 'Missing file name');
      return { ok: true, command: { name: 'p2pvideo', to: words[0]!, file } };
    }
    case 'activeuser':
    case 'logout':
      if (args.trim() !== '') return usage(name, `/${name} takes no arguments`);
      return { ok: true, command: { name } };
    default:
      return { ok: false, error: INVALID_COMMAND };
  }
}
