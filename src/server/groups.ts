/**
 * Group chats: the one owner of names, members and their joined/invited state in memory.
 * Every change is written to the store by the handler before it is applied here.
 */
import type { StoredGroup } from '../store/store.js';
import type { NumberedLog } from './logs/message-log.js';

export type MemberState = 'joined' | 'invited';

/** One group chat and its log file. */
export interface Group {
  readonly name: string;
  /** Creator first, then the invited users in the order given. */
  readonly members: Map<string, MemberState>;
  readonly log: NumberedLog;
  /** Who invited each invited or joined member (the creator has no entry). */
  readonly invitedBy: Map<string, string>;
}

/** Group names: letters and digits only, which also keeps the log file name safe. */
export const GROUP_NAME = /^[A-Za-z0-9]+$/;
export const MAX_GROUP_NAME = 64;

/** Every group chat, by name. */
export class Groups {
  private readonly groups = new Map<string, Group>();
  /** Names being created (log file on its way), so two creators cannot both win. */
  private readonly reserved = new Set<string>();

  has(name: string): boolean {
    return this.groups.has(name) || this.reserved.has(name);
  }

  get(name: string): Group | undefined {
    return this.groups.get(name);
  }

  /** Claims a name before the async part of creation; false when taken. */
  reserve(name: string): boolean {
    if (this.has(name)) return false;
    this.reserved.add(name);
    return true;
  }

  release(name: string): void {
    this.reserved.delete(name);
  }

  /** Completes a reserved creation. */
  add(name: string, creator: string, invited: readonly string[], log: NumberedLog): Group {
    this.reserved.delete(name);
    const members = new Map<string, MemberState>([[creator, 'joined']]);
    const invitedBy = new Map<string, string>();
    for (const user of invited) {
      members.set(user, 'invited');
      invitedBy.set(user, creator);
    }
    const group: Group = { name, members, log, invitedBy };
    this.groups.set(name, group);
    return group;
  }

  /** Puts back a group read from the store at start-up. */
  restore(stored: StoredGroup, log: NumberedLog): Group {
    const members = new Map<string, MemberState>();
    const invitedBy = new Map<string, string>();
    for (const m of stored.members) {
      members.set(m.username, m.state);
      if (m.invitedBy !== null) invitedBy.set(m.username, m.invitedBy);
    }
    const group: Group = { name: stored.name, members, log, invitedBy };
    this.groups.set(stored.name, group);
    return group;
  }

  /** Groups `username` belongs to (joined or invited), in creation order. */
  of(username: string): Group[] {
    return [...this.groups.values()].filter((g) => g.members.has(username));
  }

  all(): IterableIterator<Group> {
    return this.groups.values();
  }
}
