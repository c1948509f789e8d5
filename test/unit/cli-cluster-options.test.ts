import { describe, expect, it } from 'vitest';
import { parseServerConfig } from '../../src/cli/config.js';

const base = { server_port: '5000', number_of_consecutive_failed_attempts: '3' };

describe('--redis and --node-id', () => {
  it('runs alone without --redis', () => {
    const r = parseServerConfig(base);
    expect(r.ok && r.config.cluster).toBeNull();
  });

  it('joins a cluster with a default node id from the port', () => {
    const r = parseServerConfig({ ...base, redis: 'redis://127.0.0.1:6379' });
    expect(r.ok && r.config.cluster).toEqual({
      url: 'redis://127.0.0.1:6379',
      nodeId: 'node-5000',
    });
  });

  it('takes a node id', () => {
    const r = parseServerConfig({ ...base, redis: 'redis://10.0.0.5:6379', 'node-id': 'east-1' });
    expect(r.ok && r.config.cluster).toEqual({ url: 'redis://10.0.0.5:6379', nodeId: 'east-1' });
  });

  it.each(['localhost:6379', 'http://x:1', '', 'redis//x'])('refuses --redis %j', (url) => {
    const r = parseServerConfig({ ...base, redis: url });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^Invalid --redis: .*Give redis:\/\/HOST:PORT\./);
  });

  it.each(['has space', 'a/b', 'x'.repeat(65), ''])('refuses --node-id %j', (id) => {
    const r = parseServerConfig({ ...base, redis: 'redis://127.0.0.1:1', 'node-id': id });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^Invalid --node-id/);
  });

  it('refuses --node-id without --redis', () => {
    const r = parseServerConfig({ ...base, 'node-id': 'a' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^--node-id needs --redis\./);
  });
});
