/**
 * What the Redis store's scripts answer, as the store's types: records (JSON arrays, see the
 * key table in redis-store.ts), pages of them, queue entries, the snapshot, and Redis's
 * failures as StoreUnavailableError.
 */
import type { PushEvent } from '../protocol/control.js';
import {
  type DirectRecord,
  type GroupRecord,
  type MemberRecord,
  type MemberState,
  type StoredGroup,
  type StoreSnapshot,
  StoreUnavailableError,
} from './store.js';

/** Numbers and their records (null where none), as the reading scripts return them. */
export type Page = [ids: Array<string | number>, values: Array<string | null>];

/** The load script's answer: groups as [name, [creator, createdAt], members' HGETALL]. */
export type LoadReply = [
  groups: Array<[string, [string | null, string | null], string[]]>,
  blocks: string[],
  seen: string[],
];

/** Replies that mean Redis cannot take writes for lack of memory or disk. */
const DISK_FULL = /^(OOM|MISCONF)\b/;
/** Replies that mean Redis is there but not serving (starting, busy, a replica). */
const NOT_SERVING = /^(LOADING|BUSY|READONLY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN)\b/;
/** ioredis's words for a connection that is gone or not there. */
const NO_CONNECTION =
  /Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|Command timed out/;

/** A Redis failure as the server understands it; other errors (a script's own) unchanged. */
export function storeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  if (err.name === 'ReplyError') {
    if (DISK_FULL.test(err.message)) return new StoreUnavailableError('disk-full', { cause: err });
    if (NOT_SERVING.test(err.message)) {
      return new StoreUnavailableError('unreachable', { cause: err });
    }
    return err;
  }
  if (err.name === 'MaxRetriesPerRequestError' || NO_CONNECTION.test(err.message)) {
    return new StoreUnavailableError('unreachable', { cause: err });
  }
  return err;
}

export const directRecord = (n: number, json: string): DirectRecord => {
  const [ts, from, to, text, , deliveredAt] = JSON.parse(json) as [
    number,
    string,
    string,
    string,
    string,
    number | null,
  ];
  return { n, ts, from, to, text, deliveredAt };
};

export const groupRecord = (group: string, n: number, json: string): GroupRecord => {
  const [ts, from, text] = JSON.parse(json) as [number, string, string];
  return { group, n, ts, from, text };
};

/** A page's records, skipping numbers whose record is missing. */
export function decode<T>([ids, values]: Page, as: (n: number, json: string) => T): T[] {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i++) {
    const v = values[i];
    if (v != null) out.push(as(Number(ids[i]), v));
  }
  return out;
}

/** A queue entry `<id>:<event JSON>` as [id, event]. */
export function queueEntry(entry: string): [number, PushEvent] {
  const colon = entry.indexOf(':');
  return [Number(entry.slice(0, colon)), JSON.parse(entry.slice(colon + 1)) as PushEvent];
}

/** The snapshot in SQLite's order: groups by creation time, then creation; members by insertion. */
export function snapshot([groupRows, blockRows, seenFlat]: LoadReply): StoreSnapshot {
  const groups: StoredGroup[] = groupRows.map(([name, [creator, createdAt], flat]) => {
    const members: Array<MemberRecord & { pos: number }> = [];
    for (let i = 0; i < flat.length; i += 2) {
      const [pos, state, invitedBy] = JSON.parse(flat[i + 1]!) as [
        number,
        MemberState,
        string | null,
      ];
      members.push({ username: flat[i]!, state, invitedBy, pos });
    }
    members.sort((a, b) => a.pos - b.pos);
    return {
      name,
      creator: creator ?? '',
      createdAt: Number(createdAt),
      members: members.map(({ pos: _, ...m }) => m),
    };
  });
  // The list is in creation order and the sort is stable.
  groups.sort((a, b) => a.createdAt - b.createdAt);
  const lastSeen = new Map<string, number>();
  for (let i = 0; i < seenFlat.length; i += 2) lastSeen.set(seenFlat[i]!, Number(seenFlat[i + 1]));
  return {
    groups,
    blocks: blockRows.map((json) => JSON.parse(json) as [string, string]),
    lastSeen,
  };
}
