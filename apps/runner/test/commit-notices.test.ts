import { describe, expect, it } from 'vitest';
import { commitNotices, readNotice } from '../src/store/commit-notices.js';

describe('notices of commits between runners', () => {
  it('splits a large batch into payloads PostgreSQL takes (under 8000 bytes), naming every run once', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `0190a1b2-c3d4-7e5f-8a9b-${String(i).padStart(12, '0')}`);
    const payloads = commitNotices('public', 'runner-a', ids);
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(8000);
    expect(payloads.flatMap((p) => readNotice(p, 'public', 'runner-b'))).toEqual(ids);
  });

  it('ignores its own runner\'s notices, other schemas\' and malformed ones', () => {
    const [payload] = commitNotices('tenant_1', 'runner-a', ['r1', 'r2']);
    expect(readNotice(payload, 'tenant_1', 'runner-b')).toEqual(['r1', 'r2']);
    expect(readNotice(payload, 'tenant_1', 'runner-a')).toEqual([]);
    expect(readNotice(payload, 'tenant_2', 'runner-b')).toEqual([]);
    expect(readNotice(undefined, 'tenant_1', 'runner-b')).toEqual([]);
    expect(readNotice('garbage', 'tenant_1', 'runner-b')).toEqual([]);
  });
});
