/**
 * Group chats: the one owner of names, members and their joined/invited state. Every change
 * goes through here and is written to the store first, then applied in memory, so the reply a
 * handler sends after it tells of committed state; a failed write changes nothing.
 */
import type { ChatStore, StoredGroup } from '../store/store.js';
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

/** The store writes of group changes. */
export type GroupStore = Pick<ChatStore, 'createGroup' | 'setMember' | 'removeMember'>;

/** Every group chat, by name. */
export class Groups {
  private readonly groups = new Map<string, Group>();
  /** Names being created (log file on its way), so two creators cannot both win. */
  private readonly reserved = new Set<string>();

  constructor(
    private readonly store: GroupStore,
    /** Creates a new group's (empty) log file. */
    private readonly createLog: (group: string) => Promise<NumberedLog>,
  ) {}

  has(name: string): boolean {
    return this.groups.has(name) || this.reserved.has(name);
  }

  get(name: string): Group | undefined {
    return this.groups.get(name);
  }

  /**
   * Creates a group: the creator joined, `invited` invited by them. Durable first ("created" is
   * only said once the group survives a crash), then its log file, then in memory. Null when
   * the name is taken, also by a creation still under way.
   */
  async create(
    name: string,
    creator: string,
    invited: readonly string[],
    createdAt: number,
  ): Promise<Group | null> {
    if (this.has(name)) return null;
    this.reserved.add(name);
    try {
      const created = await this.store.createGroup({
        name,
        creator,
        createdAt,
        members: [
          { username: creator, state: 'joined', invitedBy: null },
          ...invited.map((u) => ({ username: u, state: 'invited' as const, invitedBy: creator })),
        ],
      });
      // A shared store (a cluster) may find the name taken by another node a moment ago.
      if (created === false) return null;
      return this.add(name, creator, invited, await this.createLog(name));
    } finally {
      this.reserved.delete(name);
    }
  }

  /** An invited member joins. */
  async join(group: Group, username: string): Promise<void> {
    const invitedBy = group.invitedBy.get(username) ?? null;
    await this.store.setMember(group.name, { username, state: 'joined', invitedBy });
    group.members.set(username, 'joined');
  }

  /** `by`, a joined member, invites `username`. */
  async invite(group: Group, username: string, by: string): Promise<void> {
    await this.store.setMember(group.name, { username, state: 'invited', invitedBy: by });
    group.members.set(username, 'invited');
    group.invitedBy.set(username, by);
  }

  /** A member leaves, or declines the invitation. */
  async leave(group: Group, username: string): Promise<void> {
    await this.store.removeMember(group.name, username);
    group.members.delete(username);
    group.invitedBy.delete(username);
  }

  private add(name: string, creator: string, invited: readonly string[], log: NumberedLog): Group {
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

  /**
   * A group another node of the cluster created (already in the store): its log file here,
   * for the messages this node will handle, and the group in memory. Idempotent.
   */
  async adopt(stored: StoredGroup): Promise<void> {
    if (this.groups.has(stored.name)) return;
    const log = await this.createLog(stored.name);
    if (!this.groups.has(stored.name)) this.restore(stored, log);
  }

  /** A membership change another node stored: applied in memory only. */
  applyMember(name: string, username: string, state: MemberState, invitedBy: string | null): void {
    const group = this.groups.get(name);
    if (!group) return;
    group.members.set(username, state);
    if (invitedBy !== null) group.invitedBy.set(username, invitedBy);
  }

  /** A departure another node stored: applied in memory only. */
  applyLeft(name: string, username: string): void {
    const group = this.groups.get(name);
    group?.members.delete(username);
    group?.invitedBy.delete(username);
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
