/** Plain mode's prompt and its `/help`, from the command table's usage lines. */
import { COMMAND_NAMES, COMMANDS } from '../client/commands/index.js';

/** SPEC.md's command list, shown after login and after every command's result. */
export const COMMAND_LIST =
  'Enter one of the following commands (/msgto, /activeuser, /creategroup, /joingroup, /groupmsg, /p2pvideo ,/logout):';

/** Plain mode's `/help`: every command with its usage and what it does. */
export function commandHelp(): string[] {
  return COMMAND_NAMES.map((n) => `${COMMANDS[n].usage}: ${COMMANDS[n].description}`);
}
