/**
 * What a refused write answers (a code and a text per request kind, written in one place) and
 * how it is logged: one error line when the outage starts, one info line when the store
 * commits again, none per refused request in between.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import { logStoreRefusal, OUTAGE_LOG, storeRefusalReply } from '../../src/server/store-refusal.js';
import { StoreUnavailableError } from '../../src/store/store.js';
import { StoreOutage } from '../../src/store/store-outage.js';
import type { Logger } from '../../src/util/logger.js';

const full = () =>
  new StoreUnavailableError('disk-full', {
    cause: Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }),
  });
const away = () => new StoreUnavailableError('unreachable', { cause: new Error('ECONNREFUSED') });

function recordingLogger() {
  const lines: Array<[string, string, Record<string, unknown> | undefined]> = [];
  const at = (level: string) => (message: string, meta?: Record<string, unknown>) => {
    lines.push([level, message, meta]);
  };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
  return { logger, lines };
}

describe('storeRefusalReply', () => {
  it('says a message was not sent, and why', () => {
    for (const type of ['msgto', 'groupmsg', 'broadcast'] as const) {
      expect(storeRefusalReply(type, full())).toEqual({
        code: ErrorCode.StoreFull,
        message: 'message not sent: the server is out of disk space',
      });
    }
    expect(storeRefusalReply('msgto', away())).toEqual({
      code: ErrorCode.StoreUnavailable,
      message: 'message not sent: the server cannot reach its database; try again in a moment',
    });
  });

  it('says other changes were not saved', () => {
    for (const type of ['creategroup', 'block', 'joingroup'] as const) {
      expect(storeRefusalReply(type, full())).toEqual({
        code: ErrorCode.StoreFull,
        message: 'not saved: the server is out of disk space',
      });
    }
    expect(storeRefusalReply('inbox', full()).message).toBe(
      'waiting messages not fetched: the server is out of disk space',
    );
  });
});

describe('logStoreRefusal', () => {
  it('logs an outage once when it starts and once when writes commit again', () => {
    const { logger, lines } = recordingLogger();
    const store = { outage: new StoreOutage() };
    for (let i = 0; i < 100; i++) logStoreRefusal(logger, store, full(), 'msgto');
    expect(lines).toEqual([
      [
        'error',
        OUTAGE_LOG['disk-full'],
        { during: 'msgto', cause: 'SQLITE_FULL: database or disk is full' },
      ],
    ]);
    store.outage.committed();
    store.outage.committed();
    expect(lines.slice(1)).toEqual([['info', OUTAGE_LOG.ended, { reason: 'disk-full' }]]);
    logStoreRefusal(logger, store, away(), 'groupmsg');
    expect(lines.slice(2)).toEqual([
      ['error', OUTAGE_LOG.unreachable, { during: 'groupmsg', cause: 'ECONNREFUSED' }],
    ]);
  });

  it('logs each refusal of a store that does not track outages', () => {
    const { logger, lines } = recordingLogger();
    logStoreRefusal(logger, {}, full(), 'msgto');
    logStoreRefusal(logger, {}, full(), 'msgto');
    expect(lines.map(([level]) => level)).toEqual(['error', 'error']);
  });
});
