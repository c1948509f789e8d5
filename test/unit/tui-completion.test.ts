import { describe, expect, it } from 'vitest';
import { type CompletionSources, tabComplete } from '../../src/presentation/completion.js';

const sources: CompletionSources = {
  commands: ['activeuser', 'creategroup', 'groupmsg', 'help', 'joingroup', 'msgto', 'p2pvideo'],
  users: ['obiwan', 'Hans', 'vader', 'obelix'],
  groups: ['jedi', 'sith'],
  files: (partial) =>
    ['lecture1.mp4', 'lecture2.mp4', 'notes/'].filter((f) => f.startsWith(partial)),
};

const tab = (line: string, cursor = line.length) => tabComplete(line, cursor, null, sources);

describe('tab completion', () => {
  it('completes command names', () => {
    expect(tab('/ms')).toMatchObject({ line: '/msgto ', cursor: 7 });
    expect(tab('/zz')).toMatchObject({ line: '/zz', state: null });
  });

  it('completes usernames where a command takes one, case-insensitively', () => {
    expect(tab('/msgto vA')).toMatchObject({ line: '/msgto vader ' });
    expect(tab('/creategroup g1 obiwan ha')).toMatchObject({
      line: '/creategroup g1 obiwan Hans ',
    });
    expect(tab('/p2pvideo va').line).toBe('/p2pvideo vader ');
  });

  it('completes group names for /joingroup and /groupmsg', () => {
    expect(tab('/joingroup j').line).toBe('/joingroup jedi ');
    expect(tab('/groupmsg s').line).toBe('/groupmsg sith ');
    expect(tab('/groupmsg jedi he').state).toBeNull();
  });

  it('completes local file names for /p2pvideo, directories without a space', () => {
    expect(tab('/p2pvideo obiwan n').line).toBe('/p2pvideo obiwan notes/');
    const first = tab('/p2pvideo obiwan lec');
    expect(first.line).toBe('/p2pvideo obiwan lecture1.mp4');
    const second = tabComplete(first.line, first.cursor, first.state, sources);
    expect(second.line).toBe('/p2pvideo obiwan lecture2.mp4');
    const third = tabComplete(second.line, second.cursor, second.state, sources);
    expect(third.line).toBe('/p2pvideo obiwan lecture1.mp4');
  });

  it('cycles through several matches on repeated Tab', () => {
    const a = tab('/msgto ob');
    expect(a.line).toBe('/msgto obelix');
    const b = tabComplete(a.line, a.cursor, a.state, sources);
    expect(b.line).toBe('/msgto obiwan');
  });

  it('addresses a user completed at the start of a chat line', () => {
    expect(tab('vad').line).toBe('vader: ');
  });

  it('completes a name inside plain text, keeping the rest of the line', () => {
    const r = tab('hi ob there', 5);
    expect(r.line).toBe('hi obelix there');
    expect(r.cursor).toBe(9);
  });

  it('knows the arguments of the extension commands', () => {
    expect(tab('/invite j').line).toBe('/invite jedi ');
    expect(tab('/invite jedi va').line).toBe('/invite jedi vader ');
    expect(tab('/history s').line).toBe('/history sith ');
    expect(tab('/history va').line).toBe('/history vader ');
    expect(tab('/leavegroup s').line).toBe('/leavegroup sith ');
    expect(tab('/block H').line).toBe('/block Hans ');
    expect(tab('/groupvideo jedi lecture1').line).toBe('/groupvideo jedi lecture1.mp4 ');
  });

  it('completes /help topics without the slash', () => {
    expect(tab('/help p2').line).toBe('/help p2pvideo ');
  });
});
