/**
 * The shared store as a cluster node uses it: every change of groups and blocks, once
 * committed, is told to the other nodes (the `events` stream), which apply it to the copy
 * they hold in memory. Group names are claimed in Redis first, so two nodes creating the same
 * name at once cannot both succeed.
 */
import type { Redis } from 'ioredis';
import type { PushEvent } from '../../protocol/control.js';
import type {
  ChatStore,
  DirectRecord,
  GroupRecord,
  MemberRecord,
  NewDirect,
  StoredGroup,
} from '../../store/store.js';
import type { Logger } from '../../util/logger.js';
import type { ClusterEvent, ClusterNode } from './cluster-node.js';

export class PublishingStore implements ChatStore {
  constructor(
    private readonly store: ChatStore,
    private readonly redis: Redis,
    private readonly node: Pick<ClusterNode, 'publish'>,
    private readonly logger: Logger,
    private readonly prefix = 'tsg:',
  ) {}

  private async tell(event: ClusterEvent): Promise<void> {
    try {
      await this.node.publish(event);
    } catch (err) {
      // Committed but not told: the others see it at their next start (they load the store).
      this.logger.warn('cluster change not told to the other nodes', {
        kind: event.k,
        error: String(err),
      });
    }
  }

  async createGroup(group: StoredGroup): Promise<void | false> {
    const claimed = await this.redis.set(`${this.prefix}group-name:${group.name}`, '1', 'NX');
    if (claimed !== 'OK') return false;
    if ((await this.store.createGroup(group)) === false) return false;
    await this.tell({ k: 'group', group });
  }

  async setMember(group: string, member: MemberRecord): Promise<void> {
    await this.store.setMember(group, member);
    await this.tell({ k: 'member', group, member });
  }

  async removeMember(group: string, username: string): Promise<void> {
    await this.store.removeMember(group, username);
    await this.tell({ k: 'left', group, username });
  }

  async setBlocked(owner: string, other: string, blocked: boolean): Promise<void> {
    await this.store.setBlocked(owner, other, blocked);
    await this.tell({ k: 'block', owner, other, blocked });
  }

  // The rest as the shared store does it.
  load(): ReturnType<ChatStore['load']> {
    return this.store.load();
  }
  reserveDirectNumbers(last: number): void {
    this.store.reserveDirectNumbers(last);
  }
  addDirect(message: NewDirect): Promise<DirectRecord> {
    return this.store.addDirect(message);
  }
  addGroupMessage(
    message: Omit<GroupRecord, 'n'>,
    offlineMembers: readonly string[],
  ): Promise<GroupRecord> {
    return this.store.addGroupMessage(message, offlineMembers);
  }
  enqueue(username: string, event: PushEvent): Promise<void> {
    return this.store.enqueue(username, event);
  }
  takeQueue(
    username: string,
    limit: number,
    ackThrough?: number,
  ): ReturnType<ChatStore['takeQueue']> {
    return this.store.takeQueue(username, limit, ackThrough);
  }
  markDelivered(n: number, to: string, at: number): ReturnType<ChatStore['markDelivered']> {
    return this.store.markDelivered(n, to, at);
  }
  setLastSeen(username: string, ts: number): Promise<void> {
    return this.store.setLastSeen(username, ts);
  }
  directHistory(a: string, b: string, limit: number): Promise<DirectRecord[]> {
    return this.store.directHistory(a, b, limit);
  }
  groupHistory(group: string, limit: number): Promise<GroupRecord[]> {
    return this.store.groupHistory(group, limit);
  }
  directAfter(n: number): Promise<DirectRecord[]> {
    return this.store.directAfter(n);
  }
  groupAfter(group: string, n: number): Promise<GroupRecord[]> {
    return this.store.groupAfter(group, n);
  }
  close(): Promise<void> {
    return this.store.close();
  }
}
