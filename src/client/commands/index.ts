/**
 * The client's command table, as server/router.ts is the server's: a typed map from command
 * name to the one file that reads, runs and types it. Pure parsing: no I/O until run.
 * Command names are case-sensitive, as in the assignment: `/MSGTO` is an invalid command.
 */
import { activeuser } from './activeuser.js';
import { away } from './away.js';
import { block, blocked, unblock } from './block.js';
import { broadcast } from './broadcast.js';
import type { ClientCommand, CommandContext, Parsed } from './command.js';
import { creategroup } from './creategroup.js';
import { groups, members } from './group-info.js';
import { groupmsg } from './groupmsg.js';
import { groupvideo } from './groupvideo.js';
import { history } from './history.js';
import { invite } from './invite.js';
import { joingroup } from './joingroup.js';
import { lastseen } from './lastseen.js';
import { leavegroup } from './leavegroup.js';
import { logout } from './logout.js';
import { msgto } from './msgto.js';
import { p2pvideo } from './p2pvideo.js';

/** In the order help lists them: the assignment's commands first. */
const TABLE = {
  msgto,
  activeuser,
  creategroup,
  joingroup,
  groupmsg,
  p2pvideo,
  logout,
  history,
  broadcast,
  block,
  unblock,
  blocked,
  lastseen,
  away,
  groups,
  members,
  invite,
  leavegroup,
  groupvideo,
};

type Table = typeof TABLE;
export type CommandName = keyof Table;
type Args = { [N in CommandName]: Table[N] extends ClientCommand<infer A, unknown> ? A : never };
type Results = { [N in CommandName]: Awaited<ReturnType<Table[N]['run']>> };

/** The table with each entry's types spelt out per name, so one generic call serves all. */
export const COMMANDS: { readonly [N in CommandName]: ClientCommand<Args[N], Results[N]> } = TABLE;

/** A parsed command: its name and its arguments. */
export type CommandOf<N extends CommandName> = { [K in N]: { name: K } & Args[K] }[N];
export type Command = CommandOf<CommandName>;
/** What running any command returns. */
export type CommandResult = Results[CommandName];

export type ParseResult = { ok: true; command: Command } | { ok: false; error: string };

export const INVALID_COMMAND = 'Error. Invalid command!';

export const COMMAND_NAMES = Object.keys(TABLE) as CommandName[];

export const isCommandName = (name: string): name is CommandName => Object.hasOwn(TABLE, name);

/** Parses one input line. Never throws. */
export function parseCommand(line: string): ParseResult {
  const trimmed = line.trim();
  const head = /^\/(\S+)/.exec(trimmed);
  if (!head || !isCommandName(head[1]!)) return { ok: false, error: INVALID_COMMAND };
  return parseAs(head[1]!, trimmed.slice(head[0].length));
}

function parseAs<N extends CommandName>(
  name: N,
  args: string,
): { ok: true; command: CommandOf<N> } | { ok: false; error: string } {
  const spec = COMMANDS[name];
  const bad = (problem: string): Parsed<never> => ({
    ok: false,
    error: `${problem}. Usage: ${spec.usage}`,
  });
  const parsed = spec.parse(args, bad);
  if (!parsed.ok) return parsed;
  return { ok: true, command: Object.assign({ name }, parsed.args) };
}

/** Runs one parsed command. Errors (ProtocolError, TransferStartError) carry user-facing text. */
export function runCommand<N extends CommandName>(
  ctx: CommandContext,
  command: CommandOf<N>,
): Promise<Results[N]> {
  return COMMANDS[command.name].run(ctx, command);
}
