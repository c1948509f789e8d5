/** The direct-partner graph behind contacts-only presence: a bitset per user, against a plain model. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PartnerGraph } from '../../src/server/partners.js';

describe('PartnerGraph', () => {
  it('knows nobody before any message, and nobody for an unknown name', () => {
    const graph = new PartnerGraph();
    expect(graph.of('Yoda')).toEqual([]);
    expect(graph.of('Yoda')).not.toContain('obiwan');
    graph.link('Yoda', 'obiwan');
    expect(graph.of('nobody')).toEqual([]);
    expect(graph.of('Yoda')).not.toContain('nobody');
  });

  it('links both ways, once, in the order users first talked', () => {
    const graph = new PartnerGraph();
    graph.link('Yoda', 'obiwan');
    graph.link('Hans', 'Yoda');
    graph.link('obiwan', 'Yoda');
    expect(graph.of('Yoda')).toEqual(['obiwan', 'Hans']);
    expect(graph.of('obiwan')).toEqual(['Yoda']);
    expect(graph.of('Hans')).toEqual(['Yoda']);
    expect(graph.of('obiwan')).not.toContain('Hans');
  });

  it('grows a bitset past word boundaries: partners numbered 31, 32, 63, 64 and 4,999', () => {
    const graph = new PartnerGraph();
    const names = Array.from({ length: 5000 }, (_, i) => `u${i}`);
    for (const name of names) graph.link(name, name === 'u0' ? 'u1' : 'u0');
    for (const i of [31, 32, 63, 64, 4999]) graph.link(`u${i}`, 'u1');
    expect(graph.of('u0')).toHaveLength(4999);
    expect(graph.of('u1')).toEqual(['u0', 'u31', 'u32', 'u63', 'u64', 'u4999']);
    expect(graph.of('u4999')).toContain('u1');
    expect(graph.of('u1')).not.toContain('u4998');
  });

  it('answers like a map of sets for any sequence of messages', () => {
    const name = fc.integer({ min: 0, max: 80 }).map((i) => `user${i}`);
    fc.assert(
      fc.property(fc.array(fc.tuple(name, name), { maxLength: 400 }), (pairs) => {
        const graph = new PartnerGraph();
        const model = new Map<string, Set<string>>();
        const add = (a: string, b: string) => {
          if (!model.has(a)) model.set(a, new Set());
          model.get(a)!.add(b);
        };
        for (const [a, b] of pairs) {
          graph.link(a, b);
          add(a, b);
          add(b, a);
        }
        for (let i = 0; i <= 80; i++) {
          const user = `user${i}`;
          expect(new Set(graph.of(user))).toEqual(model.get(user) ?? new Set());
          expect(graph.of(user)).toHaveLength(model.get(user)?.size ?? 0);
        }
      }),
    );
  });
});
