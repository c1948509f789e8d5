/**
 * The client side of the commands beyond the assignment: history, broadcast, block lists,
 * presence, group management and /groupvideo. Kept apart from chat-client.ts, which runs the
 * assignment's commands and owns the connection.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { GroupMember, GroupSummary, HistoryEntry, SeenUser } from '../protocol/control.js';
import type { Command } from './commands.js';
import type { Connection } from './connection.js';
import { type TransferManager, TransferStartError } from './transfers.js';

export type MoreCommand = Exclude<
  Command,
  {
    name: 'msgto' | 'activeuser' | 'creategroup' | 'joingroup' | 'groupmsg' | 'p2pvideo' | 'logout';
  }
>;

export type MoreResult =
  | {
      kind: 'history';
      conversation: string;
      conversationKind: 'direct' | 'group';
      messages: HistoryEntry[];
    }
  | { kind: 'broadcast-sent'; ts: number; recipients: number }
  | { kind: 'blocked-user'; user: string }
  | { kind: 'unblocked-user'; user: string }
  | { kind: 'block-list'; users: string[] }
  | { kind: 'last-seen'; minutes: number; users: SeenUser[] }
  | { kind: 'away'; away: boolean; text: string }
  | { kind: 'group-list'; groups: GroupSummary[] }
  | { kind: 'group-members'; group: string; members: GroupMember[] }
  | { kind: 'invited'; group: string; user: string }
  | { kind: 'group-left'; group: string }
  | {
      kind: 'group-transfer-started';
      group: string;
      filename: string;
      size: number;
      /** Members the file is on its way to. */
      to: string[];
      /** Members it could not be offered to, with why. */
      failed: Array<{ to: string; error: string }>;
    };

const GROUPVIDEO_USAGE = 'Usage: /groupvideo GROUPNAME FILENAME';

/** Runs one of the extension commands over the connection. */
export async function runMore(
  c: Connection,
  transfers: TransferManager,
  me: string | null,
  command: MoreCommand,
): Promise<MoreResult> {
  switch (command.name) {
    case 'history': {
      const reply = await c.request({
        type: 'history',
        conversation: command.conversation,
        limit: command.limit,
      });
      return {
        kind: 'history',
        conversation: reply.conversation,
        conversationKind: reply.kind,
        messages: reply.messages,
      };
    }
    case 'broadcast': {
      const reply = await c.request({ type: 'broadcast', text: command.text });
      return { kind: 'broadcast-sent', ...reply };
    }
    case 'block':
      return { kind: 'blocked-user', ...(await c.request({ type: 'block', user: command.user })) };
    case 'unblock': {
      const reply = await c.request({ type: 'unblock', user: command.user });
      return { kind: 'unblocked-user', ...reply };
    }
    case 'blocked':
      return { kind: 'block-list', ...(await c.request({ type: 'blocked' })) };
    case 'lastseen': {
      const reply = await c.request({ type: 'lastseen', minutes: command.minutes });
      return { kind: 'last-seen', ...reply };
    }
    case 'away':
      return { kind: 'away', ...(await c.request({ type: 'away', text: command.text })) };
    case 'groups':
      return { kind: 'group-list', ...(await c.request({ type: 'groups' })) };
    case 'members': {
      const reply = await c.request({ type: 'members', group: command.group });
      return { kind: 'group-members', ...reply };
    }
    case 'invite': {
      const reply = await c.request({ type: 'invite', group: command.group, user: command.user });
      return { kind: 'invited', ...reply };
    }
    case 'leavegroup': {
      const reply = await c.request({ type: 'leavegroup', group: command.group });
      return { kind: 'group-left', ...reply };
    }
    case 'groupvideo':
      return groupVideo(c, transfers, me, command.group, command.file);
  }
}

/**
 * One file to every other joined member who is online, each over its own P2P transfer (the
 * same path as /p2pvideo). Members that cannot take it are reported, not fatal.
 */
async function groupVideo(
  c: Connection,
  transfers: TransferManager,
  me: string | null,
  group: string,
  file: string,
): Promise<MoreResult> {
  const filePath = path.resolve(file);
  const filename = path.basename(filePath);
  const stat = await fs.stat(filePath).catch(() => null);
  if (!stat) {
    throw new TransferStartError(
      'FILE_NOT_FOUND',
      `File ${file} does not exist. ${GROUPVIDEO_USAGE}`,
    );
  }
  if (!stat.isFile()) {
    throw new TransferStartError(
      'NOT_A_FILE',
      `${file} is not a regular file. ${GROUPVIDEO_USAGE}`,
    );
  }
  const { members } = await c.request({ type: 'members', group });
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
  const outcomes = await Promise.allSettled(audience.map((to) => transfers.sendFile(to, filePath)));
  const to: string[] = [];
  const failed: Array<{ to: string; error: string }> = [];
  outcomes.forEach((o, i) => {
    const member = audience[i]!;
    if (o.status === 'fulfilled') to.push(member);
    else failed.push({ to: member, error: (o.reason as Error).message });
  });
  return { kind: 'group-transfer-started', group, filename, size: stat.size, to, failed };
}
