import fs from 'node:fs/promises';
import path from 'node:path';
import { TransferStartError } from '../transfers.js';
import { type ClientCommand, ok, splitWords } from './command.js';

export interface GroupTransferStarted {
  kind: 'group-transfer-started';
  group: string;
  filename: string;
  size: number;
  /** Members the file is on its way to. */
  to: string[];
  /** Members it could not be offered to, with why. */
  failed: Array<{ to: string; error: string }>;
}

const USAGE = '/groupvideo GROUPNAME FILENAME';

/**
 * One file to every other joined member who is online, each over its own P2P transfer (the
 * same path as /p2pvideo). Members that cannot take it are reported, not fatal.
 */
export const groupvideo: ClientCommand<{ group: string; file: string }, GroupTransferStarted> = {
  usage: USAGE,
  description: 'send a file to every online member of a group chat over UDP',
  parse(args, bad) {
    const { words, rest } = splitWords(args, 1);
    const file = rest.trim();
    if (words.length === 0) return bad('Missing group name and file name');
    if (file === '') return bad('Missing file name');
    return ok({ group: words[0]!, file });
  },
  async run({ connection, transfers, me }, { group, file }) {
    const filePath = path.resolve(file);
    const filename = path.basename(filePath);
    const stat = await fs.stat(filePath).catch(() => null);
    if (!stat) {
      throw new TransferStartError(
        'FILE_NOT_FOUND',
        `File ${file} does not exist. Usage: ${USAGE}`,
      );
    }
    if (!stat.isFile()) {
      throw new TransferStartError('NOT_A_FILE', `${file} is not a regular file. Usage: ${USAGE}`);
    }
    const { members } = await connection.request({ type: 'members', group });
    const mine = members.find((m) => m.username === me);
    if (mine?.state !== 'joined') {
      throw new TransferStartError('NOT_JOINED', `Please join ${group} before sending it files.`);
    }
    const audience = members
      .filter((m) => m.username !== me && m.state === 'joined' && m.online)
      .map((m) => m.username);
    if (audience.length === 0) {
      throw new TransferStartError('NO_AUDIENCE', `No other joined member of ${group} is online.`);
    }
    const outcomes = await Promise.allSettled(
      audience.map((to) => transfers.sendFile(to, filePath)),
    );
    const to: string[] = [];
    const failed: Array<{ to: string; error: string }> = [];
    outcomes.forEach((o, i) => {
      const member = audience[i]!;
      if (o.status === 'fulfilled') to.push(member);
      else failed.push({ to: member, error: (o.reason as Error).message });
    });
    return { kind: 'group-transfer-started', group, filename, size: stat.size, to, failed };
  },
};
