/** The idle watch: one timer for every session, sweeps that end exactly the sessions past their time. */
import { describe, expect, it } from 'vitest';
import { type IdleSession, IdleWatch } from '../../src/server/idle.js';
import { ManualClock } from '../../src/util/clock.js';
import { TimerGroup } from '../../src/util/timer-group.js';

const MINUTE = 60_000;

function setup() {
  const clock = new ManualClock(1_000_000);
  const idled: IdleSession[] = [];
  const watch = new IdleWatch(30 * MINUTE, clock, new TimerGroup(clock), (s) => idled.push(s));
  const ended: string[] = [];
  const sessions = new Map<string, IdleSession>();
  /** The session named `name` (made once); ending it forgets it, as the server's does. */
  const session = (name: string): IdleSession => {
    let s = sessions.get(name);
    if (!s) {
      const made: IdleSession = {
        shutdown: (_reason, code) => {
          ended.push(`${name} ${code}`);
          watch.forget(made);
        },
      };
      sessions.set(name, made);
      s = made;
    }
    return s;
  };
  return { clock, watch, ended, idled, session };
}

describe('IdleWatch', () => {
  it('watches any number of sessions with one timer', () => {
    const { clock, watch, session } = setup();
    for (let i = 0; i < 1000; i++) watch.watch(session(`u${i}`));
    expect(watch.size).toBe(1000);
    expect(clock.pending).toBe(1);
    for (let i = 0; i < 1000; i++) watch.forget(session(`u${i}`));
    expect(clock.pending).toBe(0);
  });

  it('ends only the sessions idle for the whole time, then re-arms for the earliest left', () => {
    const { clock, watch, ended, idled, session } = setup();
    watch.watch(session('a'));
    clock.advance(10 * MINUTE);
    watch.watch(session('b'));
    watch.watch(session('c'));
    clock.advance(15 * MINUTE);
    watch.touch(session('c'));
    expect(clock.advance(5 * MINUTE - 1)).toBe(0);
    expect(ended).toEqual([]);
    // a: 30 min idle; b: 20; c: 5.
    expect(clock.advance(1)).toBe(1);
    expect(ended).toEqual(['a IDLE_TIMEOUT']);
    expect(idled).toEqual([session('a')]);
    // b's time is up in 10 minutes: the one timer is set for exactly then.
    expect(clock.advance(10 * MINUTE)).toBe(1);
    expect(ended).toEqual(['a IDLE_TIMEOUT', 'b IDLE_TIMEOUT']);
    expect(clock.pending).toBe(1);
    expect(clock.advance(15 * MINUTE)).toBe(1);
    expect(ended.at(-1)).toBe('c IDLE_TIMEOUT');
    expect(clock.pending).toBe(0);
  });

  it('does nothing with a time-out of 0', () => {
    const clock = new ManualClock();
    const watch = new IdleWatch(0, clock, new TimerGroup(clock), () => {});
    watch.watch({ shutdown: () => {} });
    expect(watch.size).toBe(0);
    expect(clock.pending).toBe(0);
  });
});
