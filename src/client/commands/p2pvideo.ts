import path from 'node:path';
import { type ClientCommand, ok, splitWords } from './command.js';

export interface TransferStarted {
  kind: 'transfer-started';
  transferId: string;
  to: string;
  filename: string;
  size: number;
}

/** One file to one user: a p2p-offer through the server, then the data over UDP. */
export const p2pvideo: ClientCommand<{ to: string; file: string }, TransferStarted> = {
  usage: '/p2pvideo USERNAME FILENAME',
  description: 'send a file (a video) straight to an online user over UDP',
  parse(args, bad) {
    const { words, rest } = splitWords(args, 1);
    const file = rest.trim();
    if (words.length === 0) return bad('Missing username and file name');
    if (file === '') return bad('Missing file name');
    return ok({ to: words[0]!, file });
  },
  async run({ transfers }, { to, file }) {
    const started = await transfers.sendFile(to, path.resolve(file));
    return { kind: 'transfer-started', ...started };
  },
};
