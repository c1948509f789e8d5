/** Group chats: the one owner of names, members and their joined/invited state. */
import type { NumberedLog } from './logs/message-log.js';

export type MemberState = 'joined' | 'invited';

/** One group chat and its log file. */
export interface Group {
  readonly name: string;
  /** Creator first, then the invited users in the order given. */
  readonly members: Map<string, MemberState>;
  readonly log: NumberedLog;
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
    for (const user of invited) members.set(user, 'invited');
    const group: Group = { name, members, log };
    this.groups.set(name, group);
    return group;
  }

  all(): IterableIterator<Group> {
    return this.groups.values();
  }
}
