/**
 * Pure parser of what a user types. No I/O: it turns a line into a command or an error text.
 * Command names are case-sensitive, as in the assignment: `/MSGTO` is an invalid command.
 */

export type Command =
  | { name: 'msgto'; to: string; text: string }
  /** `auto`: the client refreshes on its own (the TUI's online pane), not activity. */
  | { name: 'activeuser'; auto?: boolean }
  | { name: 'creategroup'; group: string; members: string[] }
  | { name: 'joingroup'; group: string }
  | { name: 'groupmsg'; group: string; text: string }
  | { name: 'p2pvideo'; to: string; file: string }
  | { name: 'logout' }
  | { name: 'history'; conversation: string; limit: number }
  | { name: 'broadcast'; text: string }
  | { name: 'block'; user: string }
  | { name: 'unblock'; user: string }
  | { name: 'blocked' }
  | { name: 'lastseen'; minutes: number }
  | { name: 'away'; text: string }
  | { name: 'groups' }
  | { name: 'members'; group: string }
  | { name: 'invite'; group: string; user: string }
  | { name: 'leavegroup'; group: string }
  | { name: 'groupvideo'; group: string; file: string };

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
  history: '/history USERNAME|GROUPNAME [N]',
  broadcast: '/broadcast MESSAGE',
  block: '/block USERNAME',
  unblock: '/unblock USERNAME',
  blocked: '/blocked',
  lastseen: '/lastseen [MINUTES]',
  away: '/away [TEXT]',
  groups: '/groups',
  members: '/members GROUPNAME',
  invite: '/invite GROUPNAME USERNAME',
  leavegroup: '/leavegroup GROUPNAME',
  groupvideo: '/groupvideo GROUPNAME FILENAME',
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
  history: 'show the last N messages (default 20) with a user or in a group chat',
  broadcast: 'send a message to every online user',
  block: "refuse a user's messages and files and hide from them that you are online",
  unblock: 'take a user off your block list',
  blocked: 'list the users you blocked',
  lastseen: 'list users seen in the last MINUTES minutes (default 60)',
  away: 'mark yourself away with an optional text; /away again when back',
  groups: 'list your group chats and invitations',
  members: 'list the members of a group chat and who is online',
  invite: 'invite a user to a group chat you joined',
  leavegroup: 'leave a group chat, or decline its invitation',
  groupvideo: 'send a file to every online member of a group chat over UDP',
};

/** Plain mode's `/help`: every command with its usage and what it does. */
export function commandHelp(): string[] {
  return (Object.keys(USAGE) as CommandName[]).map((n) => `${USAGE[n]}: ${DESCRIPTION[n]}`);
}

/** Default N of /history and of /lastseen (minutes). */
export const HISTORY_DEFAULT = 20;
export const LASTSEEN_DEFAULT = 60;

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
    case 'blocked':
    case 'groups':
      if (args.trim() !== '') return usage(name, `/${name} takes no arguments`);
      return { ok: true, command: { name } };
    default:
      return parseExtension(name, args);
  }
}

/** A positive whole number written in digits, or null. */
function count(word: string | undefined): number | null {
  if (word === undefined || !/^\d{1,6}$/.test(word)) return null;
  const n = Number(word);
  return n > 0 ? n : null;
}

/** The commands beyond the assignment's (history, blocks, presence, more group commands). */
function parseExtension(name: string, args: string): ParseResult {
  const words = args.split(/\s+/).filter(Boolean);
  switch (name) {
    case 'history': {
      if (words.length === 0) return usage('history', 'Missing user or group name');
      if (words.length > 2) return usage('history', 'Too many arguments');
      const limit = words.length === 2 ? count(words[1]) : HISTORY_DEFAULT;
      if (limit === null) return usage('history', 'N must be a whole number above 0');
      return { ok: true, command: { name, conversation: words[0]!, limit } };
    }
    case 'lastseen': {
      if (words.length > 1) return usage('lastseen', 'Too many arguments');
      const minutes = words.length === 1 ? count(words[0]) : LASTSEEN_DEFAULT;
      if (minutes === null) return usage('lastseen', 'MINUTES must be a whole number above 0');
      return { ok: true, command: { name, minutes } };
    }
    case 'broadcast': {
      const text = args.trim();
      if (text === '') return usage('broadcast', 'Missing message');
      return { ok: true, command: { name, text } };
    }
    case 'away':
      return { ok: true, command: { name, text: args.trim() } };
    case 'block':
    case 'unblock':
      if (words.length !== 1) {
        return usage(name, words.length === 0 ? 'Missing username' : 'Too many arguments');
      }
      return { ok: true, command: { name, user: words[0]! } };
    case 'members':
    case 'leavegroup':
      if (words.length !== 1) {
        return usage(name, words.length === 0 ? 'Missing group name' : 'Too many arguments');
      }
      return { ok: true, command: { name, group: words[0]! } };
    case 'invite':
      if (words.length !== 2) {
        return usage(
          'invite',
          words.length < 2 ? 'Missing group name or username' : 'Too many arguments',
        );
      }
      return { ok: true, command: { name, group: words[0]!, user: words[1]! } };
    case 'groupvideo': {
      const { words: group, rest } = splitWords(args, 1);
      const file = rest.trim();
      if (group.length === 0) return usage('groupvideo', 'Missing group name and file name');
      if (file === '') return usage('groupvideo', 'Missing file name');
      return { ok: true, command: { name, group: group[0]!, file } };
    }
    default:
      return { ok: false, error: INVALID_COMMAND };
  }
}
